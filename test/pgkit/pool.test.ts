import { afterAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createPool, serializeBind } from '@fleetpivot/pgkit';
import { createRequire } from 'node:module';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';

const stack = inject('stack');
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

describe('createPool', () => {
  it("reports a checked-out client's lost connection through onError instead of crashing the process", async () => {
    db = await createTestDatabase(stack, 'pool');
    const heard: Error[] = [];
    const pool = createPool({ connectionString: db.url, applicationName: 'pool-test', onError: (err) => heard.push(err) });
    try {
      const c = await pool.connect();
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // Killed between two queries: no query is in flight to reject, so pg emits 'error' on the client itself
      // (unhandled, vitest would fail the run with an uncaught exception).
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 0; heard.length === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
      expect(heard[0]!.message).toMatch(/terminat/);
      await expect(c.query('SELECT 1')).rejects.toThrow();
      c.release(heard[0]);
      // The pool replaces it.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it("sends parameters through fleetpivot's Bind writer, byte for byte what PostgreSQL expects", async () => {
    const pool = createPool({ connectionString: db!.url, applicationName: 'pool-test' });
    try {
      const serialize = (createRequire(createRequire(import.meta.url).resolve('pg'))('pg-protocol') as { serialize: { bind: unknown } }).serialize;
      expect(serialize.bind).toBe(serializeBind);
      const big = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7919) % 251));
      const when = new Date(Date.UTC(2025, 0, 1, 12, 0, 0, 123));
      for (const name of [undefined, 'fp_pool_test']) {
        const r = await pool.query<{ md5: string; n: number; t: string; nothing: boolean; at: Date; arr: string[] }>({
          ...(name ? { name } : {}),
          text: `SELECT md5($1::bytea) AS md5, octet_length($1::bytea)::int AS n, $2::text AS t, $3::text IS NULL AS nothing, $4::timestamptz AS at, $5::text[] AS arr`,
          values: [big, '船舶 ✓', null, when, ['a', 'b"c', null]],
        });
        expect(r.rows[0]).toEqual({ md5: createHash('md5').update(big).digest('hex'), n: big.length, t: '船舶 ✓', nothing: true, at: when, arr: ['a', 'b"c', null] });
      }
    } finally {
      await pool.end();
    }
  });
});
