import { createHash } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BinaryCopyParser, CopyOut, ReadTap, readTapStream } from '@fleetpivot/backfill';
import { createPool } from '@fleetpivot/pgkit';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import type pg from 'pg';

const stack = inject('stack');
let db: TestDatabase | undefined;
let tapped: pg.Pool | undefined;
afterAll(async () => {
  await tapped?.end();
  await db?.drop();
});

/** Both socket kinds CopyOut reads: pg's own (a fresh buffer per read, as over TLS) and the backfill's ReadTap. */
const SOCKETS = [
  { socket: "pg's own socket", tap: false },
  { socket: 'a ReadTap socket', tap: true },
];

async function connect(tap: boolean): Promise<pg.PoolClient> {
  db ??= await createTestDatabase(stack, 'copy_out');
  tapped ??= createPool({ connectionString: db.url, applicationName: 'copy-out-test', stream: readTapStream });
  const c = await (tap ? tapped : db.pool).connect();
  const stream = (c as unknown as { connection: { stream: unknown } }).connection.stream;
  expect(ReadTap.of(stream) !== undefined).toBe(tap);
  return c;
}

/** Runs a binary COPY through CopyOut, pumping with a small read budget; returns each row's two fields as text. */
async function copyRows(c: pg.PoolClient, sql: string, onPump?: () => Promise<void>): Promise<[string, string][]> {
  const rows: [string, string][] = [];
  const parser = new BinaryCopyParser(2, (f) => rows.push([0, 1].map((i) => f.buf.toString('utf8', f.starts[i]!, f.starts[i]! + f.lengths[i]!)) as [string, string]));
  const copy = new CopyOut(sql, (buf, s, e) => parser.pushRange(buf, s, e));
  c.query(copy);
  while (await copy.pump(16 * 1024)) await onPump?.();
  parser.end();
  expect(copy.rowCount).toBe(rows.length);
  return rows;
}

describe.each(SOCKETS)('CopyOut on $socket', ({ tap }) => {
  it('reads every row exactly, rows cut across socket reads and values spanning many, and gives the connection back', async () => {
    const c = await connect(tap);
    try {
      // 20,000 small rows, then rows of 1 B .. 3 MB (a value spanning dozens of 64 kB socket reads), with a
      // slow consumer (a timer per pump: TCP holds PostgreSQL back meanwhile).
      const small = await copyRows(c, `COPY (SELECT x::text, md5(x::text) FROM generate_series(1, 20000) x) TO STDOUT (FORMAT binary)`);
      expect(small).toHaveLength(20_000);
      expect(small.every(([x, md5], i) => x === String(i + 1) && md5 === createHash('md5').update(x).digest('hex'))).toBe(true);
      const sizes = [1, 100, 70_000, 3_000_000, 5];
      const big = await copyRows(
        c,
        `COPY (SELECT n::text, repeat('船', n / 3) || repeat('x', n % 3) FROM unnest(ARRAY[${sizes.join(',')}]) n) TO STDOUT (FORMAT binary)`,
        () => new Promise((r) => setTimeout(r, 1)),
      );
      expect(big.map(([n, v]) => [n, Buffer.byteLength(v)])).toEqual(sizes.map((n) => [String(n), n]));
      expect(big[3]![1].startsWith('船船')).toBe(true);
      // The connection is pg's again, in a clean state.
      expect((await c.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      // pg's parser keeps a message cut at the end of a read: rows spanning many reads arrive whole.
      const wide = await c.query<{ v: string }>(`SELECT x || repeat(md5(x::text), 4000) AS v FROM generate_series(1, 20) x`);
      expect(wide.rows.map((r) => r.v)).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 1}${createHash('md5').update(String(i + 1)).digest('hex').repeat(4000)}`));
    } finally {
      c.release();
    }
  });

  it('rejects with PostgreSQL error mid-stream or before it, and the connection stays usable', async () => {
    const c = await connect(tap);
    try {
      // Division by zero at row 15,000: thousands of rows arrive before the ErrorResponse.
      await expect(copyRows(c, `COPY (SELECT x::text, (1 / (15000 - x))::text FROM generate_series(1, 20000) x) TO STDOUT (FORMAT binary)`)).rejects.toThrow(/division by zero/);
      expect((await c.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(copyRows(c, `COPY (SELECT a, b FROM no_such_table) TO STDOUT (FORMAT binary)`)).rejects.toMatchObject({ code: '42P01' });
      expect((await c.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      c.release();
    }
  });

  it('rejects when the server ends the connection mid-COPY', async () => {
    const c = await connect(tap);
    let broken: Error | undefined;
    try {
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      let pumps = 0;
      await expect(
        copyRows(c, `COPY (SELECT x::text, repeat('y', 100) FROM generate_series(1, 2000000) x) TO STDOUT (FORMAT binary)`, async () => {
          if (++pumps === 3) await db!.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        }),
      ).rejects.toThrow(/terminat/);
      broken = new Error('terminated');
    } finally {
      c.release(broken);
    }
  });
});
