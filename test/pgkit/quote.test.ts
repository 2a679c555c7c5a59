import { afterAll, describe, expect, inject, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteTextArray } from '@fleetpivot/pgkit';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';

const stack = inject('stack');
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

// Every character the array literal syntax, the string literal syntax or identifiers treat specially.
const hostile = [
  '',
  'NULL',
  'null',
  ' padded ',
  'a,b',
  '{braces}',
  '"quoted"',
  "it's",
  'back\\slash\\',
  '\\"',
  '\t\n\r',
  '{"a","b"}',
  "x'); DROP TABLE t; --",
  'ÄÖÜ-船-🚢',
  '/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature/cnt-exhaust.gas/pos-inlet',
  'y'.repeat(5_000),
];

describe('quoting through a real PostgreSQL', () => {
  it('reads back every hostile string from a text array literal, element for element, and matches it with = ANY', async () => {
    db = await createTestDatabase(stack, 'pgkit_quote');
    const { rows } = await db.pool.query<{ a: string[]; n: string }>(
      `SELECT ${quoteTextArray(hostile)} AS a, (SELECT count(*) FROM unnest(ARRAY[${hostile.map(quoteLiteral).join(', ')}]) AS u(v) WHERE v = ANY (${quoteTextArray(hostile)}))::text AS n`,
    );
    expect(rows[0]!.a).toEqual(hostile);
    expect(rows[0]!.n).toBe(String(hostile.length));
    const many = Array.from({ length: 5_000 }, (_, i) => `${hostile[i % hostile.length]}#${i}`);
    const back = await db.pool.query<{ a: string[] }>(`SELECT ${quoteTextArray(many)} AS a`);
    expect(back.rows[0]!.a).toEqual(many);
    expect((await db.pool.query<{ a: string[] }>(`SELECT ${quoteTextArray([])} AS a`)).rows[0]!.a).toEqual([]);
    // And identifiers: a column named by each (short enough) hostile string.
    const names = hostile.filter((h) => h !== '' && Buffer.byteLength(h) <= 63);
    await db.pool.query(`CREATE TABLE t (${names.map((n) => `${quoteIdent(n)} int`).join(', ')})`);
    const cols = await db.pool.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum`);
    expect(cols.rows.map((r) => r.attname)).toEqual(names);
  });
});
