import type pg from 'pg';
import type { ChangeBatch } from '@fleetpivot/events';

/**
 * Backfill fences (docs/operations.md §6). A rollback drops a ship's wide tables and tombstones, and with them
 * the result of every live change applied so far: only a backfill read after the drop brings it back. A value an
 * older job read may still be in the topic, held behind the pause; applied to the empty tables it would fill a
 * cell that live changes have since updated (a FILL lands on any empty cell) or deleted (its tombstone is gone).
 *
 * So the rollback records, in the transaction that drops the tables, the last id the backfill jobs' sequence handed
 * out, and the pivot drops the ship's BACKFILL messages of jobs up to that id. A job created later takes its
 * snapshots after the drop, so they hold every live change that was applied before it (each was committed in the
 * source before the pivot applied it).
 */

/** Records the fence for `shipId` (never lowering an earlier one) and returns it. */
export async function fenceBackfillJobs(c: pg.ClientBase, shipId: string): Promise<bigint> {
  // The sequence, not max(id): a job whose INSERT has not committed yet already has its id from it.
  const { rows } = await c.query<{ fence: string }>(
    `INSERT INTO fleetpivot.ship_fences AS f (ship_id, backfill_job_fence)
     VALUES ($1, coalesce(pg_sequence_last_value(to_regclass('fleetpivot.backfill_jobs_id_seq')), 0))
     ON CONFLICT (ship_id) DO UPDATE SET backfill_job_fence = greatest(f.backfill_job_fence, EXCLUDED.backfill_job_fence), fenced_at = now()
     RETURNING backfill_job_fence::text AS fence`,
    [shipId],
  );
  return BigInt(rows[0]!.fence);
}

const JOB_ID = /^[0-9]{1,19}$/;

/**
 * True for a BACKFILL message of a fenced ship from a job at or below its fence. A job id that is missing or not
 * a job number cannot be shown to be newer, so it is fenced too.
 */
export function isFencedBackfill(fences: ReadonlyMap<string, bigint>, batch: Pick<ChangeBatch, 'ship_id' | 'source'>): boolean {
  if (batch.source.kind !== 'BACKFILL' || batch.ship_id === null || fences.size === 0) return false;
  const fence = fences.get(batch.ship_id);
  if (fence === undefined) return false;
  const job = batch.source.job_id;
  return job === null || !JOB_ID.test(job) || BigInt(job) <= fence;
}

/**
 * True when the database's fences of `ships` differ from `seen`. Read under the apply's transaction, after a rollback
 * of one of them committed: the rollback drops the tables and writes the fence in one transaction, so an apply that
 * does not see the fence either finishes before the drop (which then drops what it wrote) or fails on the dropped
 * tables and is redelivered.
 */
export async function fencesChanged(c: pg.ClientBase, check: { ships: readonly string[]; seen: ReadonlyMap<string, bigint> }): Promise<boolean> {
  if (check.ships.length === 0) return false;
  const { rows } = await c.query<{ ship_id: string; fence: string }>('SELECT ship_id, backfill_job_fence::text AS fence FROM fleetpivot.ship_fences WHERE ship_id = ANY($1::text[])', [check.ships]);
  const now = new Map(rows.map((r) => [r.ship_id, BigInt(r.fence)]));
  return check.ships.some((ship) => now.get(ship) !== check.seen.get(ship));
}
