import type pg from 'pg';
import { quoteQualified, runMigrations, withLockTimeout } from '@fleetpivot/pgkit';
import { fenceBackfillJobs, pauseShips, SINK_COMPONENT, SINK_MIGRATIONS } from '@fleetpivot/sink-pg';
import { recordAudit } from './audit.ts';
import { ControlError } from './errors.ts';

export interface RollbackOptions {
  actor: string;
  reason?: string;
  /** How long to wait after pausing so every consumer has seen the pause (their poll interval, twice). */
  pauseSettleMs?: number;
  lockTimeoutMs?: number;
}

export interface RollbackResult {
  shipId: string;
  droppedTables: string[];
  channels: number;
  /** The ship's backfill messages from jobs up to this id are dropped from now on (sink-pg backfill-fences.ts). */
  backfillJobFence: string;
}

/**
 * Rolls a ship back: pauses it, drops its wide tables and catalog entries (and its tombstones), fences the
 * backfill jobs that exist now, and leaves it paused. The narrow table is untouched — it stays the source of
 * truth. To rebuild, run a new backfill job for the ship (`fleetpivot backfill --ships X --new-job`) and resume
 * it: the live events held in Kafka while it was paused, plus the backfill of a snapshot taken after the drop,
 * restore it exactly, and what older jobs still had on the way is dropped (docs/operations.md §6).
 */
export async function rollbackShip(db: pg.Pool, shipId: string, o: RollbackOptions): Promise<RollbackResult> {
  const setup = await db.connect();
  try {
    await runMigrations(setup, SINK_COMPONENT, SINK_MIGRATIONS); // the fence table may be newer than the running pivot
  } finally {
    setup.release();
  }
  await pauseShips(db, [shipId], o.reason ?? 'rollback');
  await new Promise((r) => setTimeout(r, o.pauseSettleMs ?? 2_500));
  const client = await db.connect();
  try {
    const result = await withLockTimeout(
      client,
      async (c) => {
        const parts = await c.query<{ table_schema: string; table_name: string }>(
          'SELECT table_schema, table_name FROM fleetpivot.ship_tables WHERE ship_id = $1 ORDER BY part',
          [shipId],
        );
        if (parts.rowCount === 0) throw new ControlError('unknown_ship', `ship ${JSON.stringify(shipId)} has no wide tables in the catalog`);
        const dropped: string[] = [];
        for (const p of parts.rows) {
          const name = quoteQualified(p.table_schema, p.table_name);
          await c.query(`DROP TABLE IF EXISTS ${name}`);
          dropped.push(`${p.table_schema}.${p.table_name}`);
        }
        const channels = await c.query('DELETE FROM fleetpivot.channel_columns WHERE ship_id = $1', [shipId]);
        await c.query('DELETE FROM fleetpivot.ship_tables WHERE ship_id = $1', [shipId]);
        await c.query('DELETE FROM fleetpivot.cell_tombstones WHERE ship_id = $1', [shipId]);
        const fence = await fenceBackfillJobs(c, shipId);
        return { shipId, droppedTables: dropped, channels: channels.rowCount ?? 0, backfillJobFence: fence.toString() };
      },
      { lockTimeoutMs: o.lockTimeoutMs ?? 2_000 },
    );
    await recordAudit(client, { actor: o.actor, action: 'rollback', target: shipId, details: { ...result, reason: o.reason ?? '' } });
    return result;
  } catch (err) {
    await recordAudit(client, { actor: o.actor, action: 'rollback', target: shipId, outcome: 'failed', details: { error: (err as Error).message } }).catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
