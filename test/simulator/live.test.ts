import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '@fleetpivot/pgkit';
import { createTestDatabase, uniqueName, type TestDatabase } from '@fleetpivot/testing';
import { loadHistory, SimulatorError, startLive } from '@fleetpivot/simulator';
import { badlyFormattedRows, freshNarrowTable, tableShape } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(stack, 'sim_live');
});
afterAll(async () => db?.drop());

const endTime = new Date('2025-03-01T00:00:00Z');
const fleet = { seed: 11, ships: 3, channels: 12 };
const rates = { lateRate: 0.1, updateRate: 0.05, deleteRate: 0.05, newChannelRate: 0.2, newShipRate: 0.3 };

interface Decoded {
  inserts: number;
  updates: number;
  deletes: number;
  oldestChanged: number;
}

/** Reads what logical decoding saw (test_decoding): what capture will see. */
async function decode(slot: string): Promise<Decoded> {
  const { rows } = await db.pool.query<{ data: string }>('SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL)', [slot]);
  const d: Decoded = { inserts: 0, updates: 0, deletes: 0, oldestChanged: Infinity };
  for (const { data } of rows) {
    const op = /^table [^:]+: (INSERT|UPDATE|DELETE):/.exec(data)?.[1];
    if (op === 'INSERT') d.inserts++;
    if (op === 'UPDATE' || op === 'DELETE') {
      if (op === 'UPDATE') d.updates++;
      else d.deletes++;
      const time = /created_time\[timestamp with time zone\]:'([^']+)'/.exec(data)?.[1];
      if (time) d.oldestChanged = Math.min(d.oldestChanged, new Date(time.replace(' ', 'T').replace(/\+00$/, 'Z')).getTime());
    }
  }
  return d;
}

describe.each([
  { primaryKey: true, replicaIdentityFull: false },
  { primaryKey: false, replicaIdentityFull: true },
])('live ticks (%o)', (shape) => {
  it('inserts minute batches, late rows, updates and deletes of old rows, new ships and channels, on schedule', async () => {
    const schema = `live_${shape.primaryKey}`;
    const table = await freshNarrowTable(db.pool, { schema, ...shape });
    const history = await loadHistory(db.pool, { schema, ...fleet, rows: 3_000, endTime });
    const slot = uniqueName('sim_slot');
    await db.pool.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);

    const reports: number[] = [];
    const started = performance.now();
    const live = startLive(db.pool, { schema, ...fleet, ...rates, history, intervalMs: 250, batchMs: 60_000, ticks: 8, onTick: () => reports.push(performance.now() - started) });
    const stats = await live.done;

    expect(stats.ticks).toBe(8);
    expect(stats.missed).toBe(0);
    expect(stats.pendingLate).toBe(0);
    expect(stats.lateInserted).toBeGreaterThan(0);
    expect(stats.updated).toBeGreaterThan(0);
    expect(stats.deleted).toBeGreaterThan(0);
    expect(stats.newShips + stats.newChannels).toBeGreaterThan(0);
    // Scheduled from the start: tick k ends shortly after k intervals, not k intervals plus all earlier work.
    reports.forEach((at, i) => expect(at).toBeGreaterThanOrEqual((i + 1) * 250 - 5));
    expect(reports.at(-1)!).toBeLessThan(8 * 250 + 1_000);

    const shape_ = await tableShape(db.pool, table);
    expect(shape_.rows).toBe(3_000 + stats.inserted + stats.lateInserted - stats.deleted);
    expect(shape_.ships).toBe(stats.ships);
    expect(await badlyFormattedRows(db.pool, table)).toBe(0);

    const decoded = await decode(slot);
    await db.pool.query('SELECT pg_drop_replication_slot($1)', [slot]);
    expect(decoded).toMatchObject({ inserts: stats.inserted + stats.lateInserted, updates: stats.updated, deletes: stats.deleted });
    expect(decoded.oldestChanged).toBeLessThan(endTime.getTime()); // history rows get corrected too
  });
});

describe('live ticks on a keyless table without replica identity', () => {
  it('fails with an error that says what to run, once a publication includes the table', async () => {
    const schema = 'live_no_identity';
    const table = await freshNarrowTable(db.pool, { schema, primaryKey: false });
    const history = await loadHistory(db.pool, { schema, ...fleet, rows: 500, endTime });
    const publication = uniqueName('sim_pub');
    await db.pool.query(`CREATE PUBLICATION ${publication} FOR TABLE ${table}`);
    const live = startLive(db.pool, { schema, ...fleet, history, updateRate: 0.5, intervalMs: 50, batchMs: 60_000, ticks: 2 });
    const err = await live.done.catch((e: unknown) => e);
    await db.pool.query(`DROP PUBLICATION ${publication}`);
    expect(err).toBeInstanceOf(SimulatorError);
    expect((err as SimulatorError).code).toBe('replica_identity_missing');
    expect((err as Error).message).toContain('REPLICA IDENTITY FULL');
  });
});

describe('live without history in the same run', () => {
  it('continues the fleet already in the table and stops cleanly on stop()', async () => {
    const schema = 'live_resume';
    const table = await freshNarrowTable(db.pool, { schema, primaryKey: true });
    await loadHistory(db.pool, { schema, ...fleet, rows: 1_200, endTime });
    const pool = createPool({ connectionString: db.url, applicationName: 'sim-live-test', max: 2 });
    try {
      const live = startLive(pool, { schema, ...fleet, updateRate: 0.1, deleteRate: 0.1, lateRate: 0.2, intervalMs: 100, batchMs: 60_000 });
      await new Promise((r) => setTimeout(r, 450));
      const stats = await live.stop();
      expect(stats.ticks).toBeGreaterThanOrEqual(3);
      expect(stats.missed).toBe(0);
      expect((await tableShape(db.pool, table)).rows).toBe(1_200 + stats.inserted + stats.lateInserted - stats.deleted);
      const { rows } = await db.pool.query<{ first: Date }>(`SELECT min(created_time) AS first FROM ${table} WHERE created_time >= $1`, [endTime]);
      expect(rows[0]!.first.getTime()).toBeGreaterThanOrEqual(endTime.getTime()); // no overlap with the history
    } finally {
      await pool.end();
    }
  });
});
