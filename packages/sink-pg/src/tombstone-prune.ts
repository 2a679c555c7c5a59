import type pg from 'pg';

/**
 * Pruning `fleetpivot.cell_tombstones` (docs/backfill.md, "Pruning tombstones"). A tombstone only matters against
 * a backfill value read before the live change that cleared its cell. Such a value belongs to a job that was
 * running when the tombstone was written; once every job of that time has finished and the group has applied
 * everything that was in the topic after that, no such value can still arrive, and the tombstone can go.
 *
 * The pruner (services/pivot tombstone-pruner.ts) takes a mark — the target's clock at a moment when no backfill
 * job is running — then the topic's end offsets some time later, and deletes the tombstones older than the mark
 * once the group's applied offsets reach those ends.
 */

/** The target database's clock at a moment no backfill job was running, or null while one is. */
export interface PruneMark {
  /** now() of the checking transaction, as PostgreSQL prints it (compared with deleted_at). */
  at: string;
}

/**
 * A mark, if no backfill job is running. One REPEATABLE READ transaction: its now() is at or before its snapshot,
 * so a job this snapshot does not see reads its chunks after the mark, and they see every change whose tombstone
 * is older than it. No jobs table means no backfill ever ran against this database.
 */
export async function takePruneMark(pool: pg.Pool): Promise<PruneMark | null> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await c.query<{ at: string; jobs: string | null }>(`SELECT now()::text AS at, to_regclass('fleetpivot.backfill_jobs')::text AS jobs`);
    const now = rows[0]!;
    if (now.jobs !== null) {
      const running = await c.query(`SELECT 1 FROM fleetpivot.backfill_jobs WHERE status = 'running' LIMIT 1`);
      if (running.rowCount) return null;
    }
    return { at: now.at };
  } finally {
    await c.query('ROLLBACK').catch(() => undefined);
    c.release();
  }
}

/** True when the group has applied every message below `ends` (partition → log end offset) of the topic. */
export async function appliedThrough(pool: pg.Pool, group: string, topic: string, ends: ReadonlyMap<number, string | bigint>): Promise<boolean> {
  const { rows } = await pool.query<{ p: number; o: string }>('SELECT kafka_partition AS p, applied_offset::text AS o FROM fleetpivot.applied_offsets WHERE consumer_group = $1 AND topic = $2', [group, topic]);
  const applied = new Map(rows.map((r) => [r.p, BigInt(r.o)]));
  for (const [partition, end] of ends) if ((applied.get(partition) ?? -1n) + 1n < BigInt(end)) return false;
  return true;
}

/**
 * Deletes the tombstones written before `before`, `batchRows` at a time (short transactions: a live change that
 * touches one of them waits for one batch at most), until none is left or `signal` aborts (a stopping pivot does
 * not wait for a long prune; the next one takes the rest). Returns how many went.
 */
export async function pruneTombstones(pool: pg.Pool, before: string, batchRows = 10_000, signal?: AbortSignal): Promise<number> {
  let total = 0;
  while (!signal?.aborted) {
    const r = await pool.query(
      `DELETE FROM fleetpivot.cell_tombstones x
        USING (SELECT ship_id, data_channel_id, created_time FROM fleetpivot.cell_tombstones WHERE deleted_at < $1::timestamptz LIMIT $2) d
        WHERE x.ship_id = d.ship_id AND x.data_channel_id = d.data_channel_id AND x.created_time = d.created_time`,
      [before, batchRows],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < batchRows) break;
  }
  return total;
}
