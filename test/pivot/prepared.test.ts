import { afterAll, describe, expect, inject, it } from 'vitest';
import { queryPrepared } from '@fleetpivot/sink-pg';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';

const stack = inject('stack');
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

describe('queryPrepared', () => {
  it('prepares each statement once per connection within a byte budget, evicting the least recently used', async () => {
    db = await createTestDatabase(stack, 'prepared');
    const c = await db.pool.connect();
    try {
      const count = async () => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0]!.n);
      // Every statement is 100 characters: a 1,000-character budget holds ten.
      const st = (k: number) => ({ text: `SELECT $1::int + ${String(k).padStart(4, '0')} AS v`.padEnd(100, ' '), values: [1] });
      const budget = 1_000;
      expect((await queryPrepared(c, st(0), budget)).rows).toEqual([{ v: 1 }]);
      expect((await queryPrepared(c, st(0), budget)).rows).toEqual([{ v: 1 }]);
      expect(await count()).toBe(1);
      for (let k = 1; k < 25; k++) await queryPrepared(c, st(k), budget);
      expect(await count()).toBe(10);
      // Statement 0 was evicted: it is prepared again, and still answers right.
      expect((await queryPrepared(c, st(0), budget)).rows).toEqual([{ v: 1 }]);
      expect(await count()).toBe(10);
      // Larger than the whole budget, or a budget of 0: run unprepared.
      expect((await queryPrepared(c, st(99), 50)).rows).toEqual([{ v: 100 }]);
      expect((await queryPrepared(c, st(98), 0)).rows).toEqual([{ v: 99 }]);
      expect(await count()).toBe(10);
      // A statement whose Parse fails is not left behind as "prepared", and the next one still works.
      await expect(queryPrepared(c, { text: 'SELECT nope FROM nowhere', values: [] }, budget)).rejects.toThrow(/nowhere/);
      expect((await queryPrepared(c, st(5), budget)).rows).toEqual([{ v: 6 }]);
    } finally {
      c.release();
    }
  });
});
