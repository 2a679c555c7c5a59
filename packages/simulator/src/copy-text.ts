import type { SampleValue } from './values.ts';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** Escapes a value for COPY's text format (backslash, tab, newline and carriage return are special). */
export function escapeCopyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** The value_format..bool_v fields of one COPY text line, tab separated, without the trailing newline. */
export function copyValueFields(format: string, v: SampleValue): string {
  const d = v.double_v === null ? '\\N' : String(v.double_v);
  const l = v.long_v ?? '\\N';
  const s = v.str_v === null ? '\\N' : escapeCopyText(v.str_v);
  const b = v.bool_v === null ? '\\N' : v.bool_v ? 't' : 'f';
  return `${format}\t${d}\t${l}\t${s}\t${b}`;
}
