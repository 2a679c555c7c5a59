import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { loadHistory, realLocalIds } from '@fleetpivot/simulator';
import { badlyFormattedRows, freshNarrowTable, tableShape } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(stack, 'sim_history');
});
afterAll(async () => db?.drop());

const endTime = new Date('2025-03-01T00:00:00Z');

describe.each([true, false])('history load (primary key: %s)', (primaryKey) => {
  it('loads exactly --history-rows rows over several COPY transactions', async () => {
    const table = await freshNarrowTable(db.pool, { schema: `h_rows_${primaryKey}`, primaryKey });
    const result = await loadHistory(db.pool, { schema: `h_rows_${primaryKey}`, seed: 3, ships: 4, channels: 25, rows: 10_007, chunkRows: 3_000, endTime });
    expect(result.rows).toBe(10_007);
    expect(await tableShape(db.pool, table)).toEqual({ rows: 10_007, ships: 4, series: 100 });
    expect(await badlyFormattedRows(db.pool, table)).toBe(0);
    const { rows } = await db.pool.query<{ newest: Date; oldest: Date }>(`SELECT max(created_time) AS newest, min(created_time) AS oldest FROM ${table}`);
    expect(rows[0]!.newest.getTime()).toBe(endTime.getTime() - 15_000);
    expect(rows[0]!.oldest.getTime()).toBe(endTime.getTime() - 15_000 * Math.ceil(10_007 / 100));
  });

  it('loads ships x channels x days samples of real ids, one value_format per channel', async () => {
    const table = await freshNarrowTable(db.pool, { schema: `h_days_${primaryKey}`, primaryKey });
    const result = await loadHistory(db.pool, { schema: `h_days_${primaryKey}`, seed: 4, ships: 12, channels: 10, days: 0.25, endTime });
    const expected = 12 * 10 * (0.25 * 5760);
    expect(result.rows).toBe(expected);
    expect(await tableShape(db.pool, table)).toEqual({ rows: expected, ships: 12, series: 120 });
    const { rows: ids } = await db.pool.query<{ data_channel_id: string; formats: number }>(
      `SELECT data_channel_id, count(DISTINCT value_format)::int AS formats FROM ${table} GROUP BY 1`,
    );
    const real = new Set(realLocalIds());
    expect(ids.every((r) => real.has(r.data_channel_id) && r.formats === 1)).toBe(true);
    const { rows: ships } = await db.pool.query<{ ship_id: string }>(`SELECT DISTINCT ship_id FROM ${table}`);
    expect(ships.every((s) => /^IMO\d{7}$/.test(s.ship_id))).toBe(true);
    const { rows: mix } = await db.pool.query<{ value_format: string }>(`SELECT DISTINCT value_format FROM ${table}`);
    expect(mix.map((m) => m.value_format).sort()).toEqual(['Boolean', 'Decimal', 'Integer', 'String']);
  });
});
