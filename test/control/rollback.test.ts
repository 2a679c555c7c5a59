import { afterAll, describe, expect, inject, it } from 'vitest';
import { runBackfill } from '@fleetpivot/backfill';
import { migrateControl, recentAudit, resume, rollbackShip } from '@fleetpivot/control';
import { verifyAll, verifyShip } from '@fleetpivot/sink-pg';
import { createNarrowTable, loadHistory, startLive } from '@fleetpivot/simulator';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { sleep, startPipeline, type Pipeline } from '../support/pipeline.ts';

const stack = inject('stack');
const NARROW = { schema: 'tenant', table: 'tbl_data_timeseries' };
let db: TestDatabase;
let pipeline: Pipeline | undefined;
afterAll(async () => {
  await pipeline?.stop();
  await db?.drop();
});

describe('rollback of one ship while the fleet keeps writing', () => {
  it('drops the ship, keeps the others flowing, and a rebuild (backfill + resume) converges exactly', async () => {
    db = await createTestDatabase(stack, 'rollback');
    await createNarrowTable(db.pool, { primaryKey: true });
    const fleet = { seed: 11, ships: 4, channels: 20 };
    const history = await loadHistory(db.pool, { ...fleet, rows: 20_000, endTime: new Date('2024-06-01T00:00:00Z') });
    pipeline = await startPipeline(stack, db, 'rollback');
    const backfillOptions = { sourceUrl: db.url, targetUrl: db.url, kafkaBrokers: stack.kafkaBrokers, topicPrefix: pipeline.prefix, slotName: pipeline.prefix, progress: 'none' as const };
    await runBackfill(backfillOptions, {});
    const live = startLive(db.pool, { ...fleet, history, intervalMs: 100, batchMs: 60_000, updateRate: 0.1, deleteRate: 0.05 });
    await sleep(1_000);

    const ship = history.ships[0]!;
    await migrateControl(db.pool);
    const rolled = await rollbackShip(db.pool, ship, { actor: 'test', reason: 'bad data', pauseSettleMs: 1_000 });
    expect(rolled.droppedTables.length).toBeGreaterThan(0);
    const catalog = await db.pool.query('SELECT 1 FROM fleetpivot.channel_columns WHERE ship_id = $1', [ship]);
    expect(catalog.rowCount).toBe(0);
    const narrowBefore = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM tenant.tbl_data_timeseries WHERE ship_id = $1', [ship]);
    expect(Number(narrowBefore.rows[0]!.n)).toBeGreaterThan(0); // the narrow table is never touched

    // The ship is paused and gone while writers continue; a rebuild replays a snapshot taken after the drop.
    await sleep(1_000);
    const rebuild = await runBackfill({ ...backfillOptions, ships: [ship], newJob: true }, {});
    expect(rebuild.rows).toBeGreaterThan(0);
    await resume(db.pool, [ship], 'test');
    await sleep(1_000);
    await live.stop();
    await pipeline.drain();

    const rebuilt = await verifyShip(db.pool, NARROW, ship);
    expect(rebuilt.mismatches).toBe(0);
    expect(rebuilt.actualCells).toBe(rebuilt.expectedCells);
    const all = await verifyAll(db.pool, NARROW);
    expect(all.filter((r) => r.mismatches > 0 || r.actualCells !== r.expectedCells)).toEqual([]);
    const audit = await recentAudit(db.pool);
    expect(audit.map((a) => a.action)).toEqual(['resume', 'rollback']);
    expect(audit[1]!.target).toBe(ship);
  });
});
