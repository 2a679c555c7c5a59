import { createHash } from 'node:crypto';

/** PostgreSQL truncates identifiers at NAMEDATALEN - 1 = 63 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * Quotes one identifier for SQL text. Every identifier that reaches SQL text goes through here:
 * ship ids and channel ids come from data and are untrusted. Doubling `"` is PostgreSQL's only escape
 * inside a quoted identifier; NUL cannot be represented at all, so it is rejected rather than dropped.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new TypeError('identifier is empty');
  if (name.includes('\u0000')) throw new TypeError('identifier contains a NUL byte');
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    // PostgreSQL would silently truncate, and two long names would then meet as one.
    throw new TypeError(`identifier longer than ${MAX_IDENTIFIER_BYTES} bytes: ${JSON.stringify(name.slice(0, 80))}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table`, both parts quoted. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Quotes a string literal for the rare SQL that cannot take a bind parameter (DDL defaults, COMMENT). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new TypeError('literal contains a NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A text[] constant for SQL text that cannot take a bind parameter (COPY), as one array literal:
 * `'{"a","b"}'::text[]`. PostgreSQL parses it once with array_in, where `ARRAY['a', 'b', ...]` makes one parse
 * node per element (measured: ~10 ms more per query for 5,000 channel ids). Inside the braces every element
 * is double-quoted with `"` and `\` backslash-escaped, so commas, braces, quotes, spaces and the word NULL stay
 * text; the literal then goes through quoteLiteral (standard_conforming_strings on, as everywhere here).
 */
export function quoteTextArray(values: readonly string[]): string {
  const elements = values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`);
  return `${quoteLiteral(`{${elements.join(',')}}`)}::text[]`;
}

export interface SafeIdentifierOptions {
  /** Names that must never be produced as-is (e.g. a wide table's own `created_time`). */
  reserved?: ReadonlySet<string>;
  maxBytes?: number;
}

const HASH_HEX = 10;

/**
 * Maps any string from data to an identifier of at most 63 bytes, deterministically:
 * the string itself when it fits (quoted, so case, `/`, `.` and quotes survive), otherwise a readable
 * head and tail with the middle elided and a hash of the whole string, so that names differing only
 * after byte 63, or only in the elided middle, still get distinct identifiers.
 */
export function safeIdentifier(raw: string, options: SafeIdentifierOptions = {}): string {
  const maxBytes = options.maxBytes ?? MAX_IDENTIFIER_BYTES;
  const clean = raw.replaceAll('\u0000', '');
  const fits = clean === raw && clean.length > 0 && Buffer.byteLength(clean, 'utf8') <= maxBytes;
  if (fits && !options.reserved?.has(clean)) return clean;
  const hash = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, HASH_HEX);
  const room = maxBytes - HASH_HEX - 2; // "~" between head and tail, "#" before the hash
  const headBytes = Math.floor(room * 0.4);
  const head = utf8Head(clean, headBytes);
  const tail = utf8Tail(clean, room - Buffer.byteLength(head, 'utf8'));
  return `${head}~${tail}#${hash}`;
}

/** The longest prefix of `s` of at most `bytes` UTF-8 bytes, never splitting a character. */
export function utf8Head(s: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > bytes) break;
    used += n;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** The longest suffix of `s` of at most `bytes` UTF-8 bytes, never splitting a character. */
export function utf8Tail(s: string, bytes: number): string {
  const chars = Array.from(s);
  let used = 0;
  let start = chars.length;
  while (start > 0) {
    const n = Buffer.byteLength(chars[start - 1]!, 'utf8');
    if (used + n > bytes) break;
    used += n;
    start -= 1;
  }
  return chars.slice(start).join('');
}
