import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteTextArray, safeIdentifier, MAX_IDENTIFIER_BYTES } from './identifiers.ts';

const hostile = [
  '"; DROP TABLE tenant.tbl_data_timeseries; --',
  "Robert'); DROP TABLE students;--",
  'a"b""c',
  'ship with spaces',
  'ÄÖÜ-船-🚢',
  'x'.repeat(500),
  '/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature/cnt-exhaust.gas/pos-inlet',
];

describe('quoteIdent', () => {
  it('doubles embedded quotes and wraps the name', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('"; DROP TABLE x; --')).toBe('"""; DROP TABLE x; --"');
  });
  it('rejects NUL, empty and over-long names instead of letting PostgreSQL truncate them', () => {
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteIdent('')).toThrow(/empty/);
    expect(() => quoteIdent('x'.repeat(64))).toThrow(/63 bytes/);
  });
  it('quotes literals', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
  it('quotes a text array as one literal, every element double-quoted and escaped', () => {
    expect(quoteTextArray([])).toBe("'{}'::text[]");
    expect(quoteTextArray(['a', "it's", 'NULL', '', '{x,"y"}\\'])).toBe(`'{"a","it''s","NULL","","{x,\\"y\\"}\\\\"}'::text[]`);
    expect(() => quoteTextArray(['a\u0000b'])).toThrow(/NUL/);
  });
});

describe('safeIdentifier', () => {
  it('keeps a name that fits, exactly', () => {
    expect(safeIdentifier('IMO9074729')).toBe('IMO9074729');
    expect(safeIdentifier('Temp')).not.toBe(safeIdentifier('temp'));
  });
  it('maps every hostile name to a distinct identifier within 63 bytes', () => {
    const names = hostile.map((h) => safeIdentifier(h));
    for (const n of names) {
      expect(Buffer.byteLength(n, 'utf8')).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
      expect(() => quoteIdent(n)).not.toThrow();
    }
    expect(new Set(names).size).toBe(names.length);
  });
  it('separates names that differ only after byte 63 or in the elided middle', () => {
    const base = '/dnv-v2/vis-3-4a/'.padEnd(70, 'm');
    const a = safeIdentifier(`${base}/pos-inlet`);
    const b = safeIdentifier(`${base}X/pos-inlet`);
    expect(a).not.toBe(b);
  });
  it('is deterministic and readable at both ends', () => {
    const id = '/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature/cnt-exhaust.gas/pos-inlet';
    const name = safeIdentifier(id);
    expect(name).toBe(safeIdentifier(id));
    expect(name.startsWith('/dnv-v2/vis-3-4a/')).toBe(true);
    expect(name).toMatch(/pos-inlet#[0-9a-f]{10}$/);
  });
  it('never splits a multi-byte character', () => {
    const name = safeIdentifier('船'.repeat(40));
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(63);
    expect(name).not.toContain('\uFFFD');
  });
  it('avoids reserved names and strips NUL into a hashed name', () => {
    const reserved = new Set(['created_time']);
    expect(safeIdentifier('created_time', { reserved })).not.toBe('created_time');
    const withNul = safeIdentifier('a\u0000b');
    expect(withNul).not.toContain('\u0000');
    expect(withNul).not.toBe('ab');
  });
});
