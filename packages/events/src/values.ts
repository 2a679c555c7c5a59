import type { Change, Long } from './types.ts';

/** The four value formats of the narrow table (seed 002). Anything else is an unknown format. */
export type ValueFormat = 'Decimal' | 'Integer' | 'String' | 'Boolean';
export const VALUE_FORMATS: readonly ValueFormat[] = ['Decimal', 'Integer', 'String', 'Boolean'];

export function isValueFormat(v: string | null): v is ValueFormat {
  return v === 'Decimal' || v === 'Integer' || v === 'String' || v === 'Boolean';
}

export type CellValue =
  | { format: 'Decimal'; value: number }
  | { format: 'Integer'; value: Long }
  | { format: 'String'; value: string }
  | { format: 'Boolean'; value: boolean };

/**
 * The value a narrow row stands for: the column its value_format names (the other columns are ignored,
 * as the SQL pivot `CASE value_format WHEN 'Decimal' THEN double_v ...` ignores them).
 * null when that column is NULL (the cell is empty); undefined when the format is unknown (not pivotable).
 */
export function cellValueOf(change: Pick<Change, 'value_format' | 'double_v' | 'long_v' | 'str_v' | 'bool_v'>): CellValue | null | undefined {
  switch (change.value_format) {
    case 'Decimal':
      return change.double_v === null ? null : { format: 'Decimal', value: change.double_v };
    case 'Integer':
      return change.long_v === null ? null : { format: 'Integer', value: change.long_v };
    case 'String':
      return change.str_v === null ? null : { format: 'String', value: change.str_v };
    case 'Boolean':
      return change.bool_v === null ? null : { format: 'Boolean', value: change.bool_v };
    default:
      return undefined;
  }
}

/**
 * The seed's text rendering of a value (`double_v::text`, `long_v::text`, ...), which text-mode wide
 * tables store and verification compares. Doubles follow PostgreSQL's float8out (shortest exact).
 */
export function renderText(cell: CellValue): string {
  switch (cell.format) {
    case 'Decimal':
      return renderDouble(cell.value);
    case 'Integer':
      return cell.value.toString();
    case 'String':
      return cell.value;
    case 'Boolean':
      return cell.value ? 'true' : 'false';
  }
}

/** PostgreSQL's float8 text output (extra_float_digits = 1, the default since PostgreSQL 12). */
export function renderDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  // toExponential() gives the shortest round-trip digits, like float8out; Math.log10 would misjudge 1000.
  const [mantissa, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  // float8out switches to exponent notation below 1e-4 and from 1e15 ("e+NN" / "e-NN").
  if (exp < -4 || exp >= 15) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}
