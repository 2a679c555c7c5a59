import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { loadHistory, startLive } from '@fleetpivot/simulator';
import { freshNarrowTable, tableChecksum } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(stack, 'sim_determinism');
});
afterAll(async () => db?.drop());

const endTime = new Date('2025-03-01T00:00:00Z');
const rates = { lateRate: 0.1, updateRate: 0.05, deleteRate: 0.05, newChannelRate: 0.2, newShipRate: 0.3 };

/** History then a fixed number of live ticks into its own schema; returns the table's checksum. */
async function simulate(schema: string, seed: number, chunkRows: number): Promise<{ rows: number; md5: string }> {
  const table = await freshNarrowTable(db.pool, { schema, primaryKey: false });
  const fleet = { schema, seed, ships: 4, channels: 15 };
  const history = await loadHistory(db.pool, { ...fleet, rows: 4_321, chunkRows, endTime });
  await startLive(db.pool, { ...fleet, ...rates, history, intervalMs: 20, batchMs: 60_000, ticks: 6 }).done;
  return tableChecksum(db.pool, table);
}

describe('simulator determinism', () => {
  it('writes identical table content for the same seed, whatever the chunk size, and different content for another seed', async () => {
    const a = await simulate('det_a', 77, 1_000);
    const b = await simulate('det_b', 77, 4_321);
    const c = await simulate('det_c', 78, 1_000);
    expect(a.rows).toBeGreaterThan(4_321);
    expect(b).toEqual(a);
    expect(c.md5).not.toBe(a.md5);
  });
});
