import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Long } from '@fleetpivot/events';
import type { ColumnType } from '@fleetpivot/pivot';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { FillColumnValues } from '../../packages/sink-pg/src/binary-array.ts';
import { writeFillPart } from '../../packages/sink-pg/src/fill-copy.ts';
import type { FillPart } from '../../packages/sink-pg/src/fill-plan.ts';
import { fillInsertStatement, fillMergeStatement, fillParameters } from '../../packages/sink-pg/src/fill-sql.ts';
import { queryPrepared } from '../../packages/sink-pg/src/prepared.ts';

// The fill path writes new rows with a binary COPY (fill-copy.ts). Every value must land exactly as the INSERT …
// unnest statement it replaced writes it, hostile ones included, and rows that exist must still go through the
// live-wins MERGE.
const stack = inject('stack');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(stack, 'fill_copy');
  await db.pool.query('CREATE SCHEMA w');
});
afterAll(async () => {
  await db?.drop();
});

const COLUMNS: { column: string; type: ColumnType; channel: string }[] = [
  { column: 'd', type: 'double precision', channel: '/d' },
  { column: 'b', type: 'bigint', channel: '/b' },
  { column: 'f', type: 'boolean', channel: '/f' },
  { column: 's', type: 'text', channel: '/s' },
  { column: 'we"ird col; DROP TABLE x --', type: 'double precision', channel: '/weird' },
];

type Row = { t: Long; d?: number; b?: bigint; f?: boolean; s?: string; w?: number };

const raw = (write: (b: Buffer) => void, n: number) => {
  const b = Buffer.alloc(n);
  write(b);
  return b;
};

function fillPart(table: string, rows: Row[], textDoubles = false): FillPart {
  const values = COLUMNS.map((c) => new FillColumnValues(c.type, rows.length));
  rows.forEach((r, i) => {
    if (r.d !== undefined) {
      if (textDoubles) values[0]!.setText(i, Object.is(r.d, -0) ? '-0' : String(r.d));
      else values[0]!.setRaw(i, raw((b) => b.writeDoubleBE(r.d!), 8), 0);
    }
    if (r.b !== undefined) values[1]!.setRaw(i, raw((b) => b.writeBigInt64BE(r.b!), 8), 0);
    if (r.f !== undefined) values[2]!.setRaw(i, Buffer.from([r.f ? 1 : 0]), 0);
    if (r.s !== undefined) values[3]!.setText(i, r.s);
    if (r.w !== undefined) values[4]!.setRaw(i, raw((b) => b.writeDoubleBE(r.w!), 8), 0);
  });
  return {
    schema: 'w',
    table,
    columns: COLUMNS,
    index: new Map(COLUMNS.map((c, k) => [c.column, k])),
    values,
    times: rows.map((r) => r.t),
    rowOf: new Map(rows.map((r, i) => [r.t, i])),
  };
}

async function createTable(table: string): Promise<void> {
  await db.pool.query(`CREATE TABLE w.${table} (created_time timestamptz PRIMARY KEY, d float8, b int8, f bool, s text, "we""ird col; DROP TABLE x --" float8, _overflow jsonb)`);
}

/** Through the statements the COPY replaced: INSERT … unnest … ON CONFLICT DO NOTHING, then the MERGE if rows existed. */
async function writeByInsert(part: FillPart): Promise<void> {
  const c = await db.pool.connect();
  try {
    const p = fillParameters(part);
    const inserted = await queryPrepared(c, fillInsertStatement(part, p));
    if ((inserted.rowCount ?? 0) < part.times.length) await queryPrepared(c, fillMergeStatement(part, p));
  } finally {
    c.release();
  }
}

async function writeByCopy(part: FillPart): Promise<void> {
  const c = await db.pool.connect();
  try {
    await c.query('BEGIN');
    await writeFillPart(c, part, 1 << 20);
    await c.query('COMMIT');
  } finally {
    c.release();
  }
}

async function contents(table: string): Promise<string[][]> {
  const { rows } = await db.pool.query<Record<string, string | null>>(
    `SELECT created_time::text, d::text, b::text, f::text, s, "we""ird col; DROP TABLE x --"::text AS w, _overflow::text FROM w.${table} ORDER BY created_time`,
  );
  return rows.map((r) => Object.values(r).map((v) => v ?? '∅'));
}

const HOSTILE: Row[] = [
  { t: 0, d: -0, b: -(2n ** 63n), f: true, s: '', w: 1 },
  { t: -1, d: Number.NaN, b: 2n ** 63n - 1n, f: false, s: 'tab\there\nnewline\r\\N back\\slash "quote\' 😀 ünïcode' },
  { t: 1_700_000_000_123_456, d: Number.POSITIVE_INFINITY, b: 2n ** 53n + 1n, s: 'x'.repeat(70_000) },
  { t: 9223372036854775807n, d: Number.NEGATIVE_INFINITY, f: true }, // +infinity
  { t: -9223372036854775808n, d: 5e-324, s: '\\.' }, // -infinity; a text COPY's end marker, as data
  { t: 2n ** 60n, d: 1.7976931348623157e308, b: 0n, w: -0.1 },
  { t: 86_400_000_000 }, // a row with no value at all
];

describe('fills written by binary COPY', () => {
  it('land exactly as the INSERT wrote them: ±0, NaN, ±Infinity, int64 extremes, ±infinity times, any text', async () => {
    await createTable('copy_new');
    await createTable('insert_new');
    await writeByCopy(fillPart('copy_new', HOSTILE));
    await writeByInsert(fillPart('insert_new', HOSTILE));
    const copied = await contents('copy_new');
    expect(copied).toEqual(await contents('insert_new'));
    expect(copied.map((r) => r[1])).toEqual(['5e-324', 'NaN', '-0', '∅', 'Infinity', '1.7976931348623157e+308', '-Infinity']);
    expect(copied.find((r) => r[0] === 'infinity')?.[3]).toBe('true');
    expect(copied.some((r) => r[4] === HOSTILE[1]!.s)).toBe(true);
    expect(copied.some((r) => r[4] === 'x'.repeat(70_000))).toBe(true);
  });

  it('fill rows that exist only where live left a cell empty (the MERGE), and insert the rest', async () => {
    await createTable('copy_mixed');
    await createTable('insert_mixed');
    for (const t of ['copy_mixed', 'insert_mixed']) {
      // Live wrote d at the epoch and an overflowed /s there; the row at -1 µs exists with nothing in it.
      await db.pool.query(`INSERT INTO w.${t} (created_time, d, _overflow) VALUES ('1970-01-01 00:00:00+00', 42, '{"/s": "live"}'), ('1969-12-31 23:59:59.999999+00', NULL, NULL)`);
    }
    await writeByCopy(fillPart('copy_mixed', HOSTILE));
    await writeByInsert(fillPart('insert_mixed', HOSTILE));
    const copied = await contents('copy_mixed');
    expect(copied).toEqual(await contents('insert_mixed'));
    const epoch = copied.find((r) => r[0] === '1970-01-01 00:00:00+00')!;
    expect([epoch[1], epoch[4], epoch[2]]).toEqual(['42', '∅', '-9223372036854775808']); // live wins; overflowed cell not filled
    expect(copied.find((r) => r[0] === '1969-12-31 23:59:59.999999+00')?.[1]).toBe('NaN');
    expect(copied).toHaveLength(HOSTILE.length);
  });

  it('fall back to the INSERT for a part whose non-text column holds converted text', async () => {
    await createTable('copy_text');
    await createTable('insert_text');
    const rows = HOSTILE.filter((r) => !Number.isNaN(r.d ?? 0)); // the test builds the text; NaN's is not its concern
    await writeByCopy(fillPart('copy_text', rows, true));
    await writeByInsert(fillPart('insert_text', rows, true));
    expect(await contents('copy_text')).toEqual(await contents('insert_text'));
  });

  it('fail with a unique violation (which the apply retries) when a row appears between the check and the COPY', async () => {
    await createTable('copy_race');
    const other = await db.pool.connect();
    const c = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO w.copy_race (created_time, d) VALUES ('1970-01-01 00:00:00+00', 1)`);
      await c.query('BEGIN');
      // The check does not see the uncommitted row; the COPY then waits for it and fails once it commits.
      const write = writeFillPart(c, fillPart('copy_race', HOSTILE), 1 << 20).then(
        () => 'written',
        (err: { code?: string }) => err.code,
      );
      await new Promise((r) => setTimeout(r, 300));
      await other.query('COMMIT');
      expect(await write).toBe('23505');
      await c.query('ROLLBACK');
      // The retry, as WideSink.apply makes it, finds the row and merges into it.
      await c.query('BEGIN');
      await writeFillPart(c, fillPart('copy_race', HOSTILE), 1 << 20);
      await c.query('COMMIT');
      const rows = await contents('copy_race');
      expect(rows).toHaveLength(HOSTILE.length);
      expect(rows.find((r) => r[0] === '1970-01-01 00:00:00+00')?.[1]).toBe('1');
    } finally {
      other.release();
      c.release();
    }
  });
});
