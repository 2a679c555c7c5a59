import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '@fleetpivot/pgkit';
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
});
