import { afterAll, describe, expect, inject, it } from 'vitest';
import { PREPARED_PER_CONNECTION, queryPrepared } from '@fleetpivot/sink-pg';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';

const stack = inject('stack');
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

describe('queryPrepared', () => {
  it('prepares each statement once per connection and keeps at most the cap, evicting the least recently used', async () => {
    db = await createTestDatabase(stack, 'prepared');
    const c = await db.pool.connect();
    try {
      const count = async () => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0]!.n);
      const st = (k: number) => ({ text: `SELECT $1::int + ${k} AS v`, values: [1] });
      expect((await queryPrepared(c, st(0))).rows).toEqual([{ v: 1 }]);
      expect((await queryPrepared(c, st(0))).rows).toEqual([{ v: 1 }]);
      expect(await count()).toBe(1);
      for (let k = 1; k < PREPARED_PER_CONNECTION + 10; k++) await queryPrepared(c, st(k));
      expect(await count()).toBe(PREPARED_PER_CONNECTION);
      // Statement 0 was evicted: it is prepared again, and still answers right.
      expect((await queryPrepared(c, st(0))).rows).toEqual([{ v: 1 }]);
      expect(await count()).toBe(PREPARED_PER_CONNECTION);
      // A statement whose Parse fails is not left behind as "prepared", and the next one still works.
      await expect(queryPrepared(c, { text: 'SELECT nope FROM nowhere', values: [] })).rejects.toThrow(/nowhere/);
      expect((await queryPrepared(c, st(5))).rows).toEqual([{ v: 6 }]);
    } finally {
      c.release();
    }
  });
});
