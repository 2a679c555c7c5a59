import type pg from 'pg';
import type { CellKeyRow } from './plan.ts';
import { cellKey, usToTimestamp } from './plan.ts';

const arrays = (cells: readonly CellKeyRow[]) => [cells.map((c) => c.ship), cells.map((c) => c.channel), cells.map((c) => usToTimestamp(c.timeUs))];

export interface ShipWindow {
  ship: string;
  minUs: bigint;
  maxUs: bigint;
}

/** The time window of each ship's rows in a batch: one range read finds every tombstone the batch can touch. */
export function shipWindows(ships: ReadonlyMap<string, ReadonlyMap<bigint, unknown>>): ShipWindow[] {
  const out: ShipWindow[] = [];
  for (const [ship, rows] of ships) {
    let minUs: bigint | undefined;
    let maxUs: bigint | undefined;
    for (const t of rows.keys()) {
      if (minUs === undefined || t < minUs) minUs = t;
      if (maxUs === undefined || t > maxUs) maxUs = t;
    }
    if (minUs !== undefined && maxUs !== undefined) out.push({ ship, minUs, maxUs });
  }
  return out;
}

/**
 * Tombstones (cellKey) inside the batch's per-ship time windows. Deletes are rare, so this is one small range
 * read per batch instead of an index probe for every cell the batch sets or fills.
 */
export async function tombstonesIn(c: pg.ClientBase, windows: readonly ShipWindow[]): Promise<Set<string>> {
  if (windows.length === 0) return new Set();
  const r = await c.query<{ s: string; ch: string; us: string }>(
    `SELECT x.ship_id AS s, x.data_channel_id AS ch, CASE WHEN isfinite(x.created_time) THEN (extract(epoch FROM x.created_time) * 1000000)::bigint::text
                   WHEN x.created_time > 'epoch' THEN '9223372036854775807' ELSE '-9223372036854775808' END AS us
       FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS w(s, lo, hi)
       JOIN fleetpivot.cell_tombstones x ON x.ship_id = w.s AND x.created_time BETWEEN w.lo AND w.hi`,
    [windows.map((w) => w.ship), windows.map((w) => usToTimestamp(w.minUs)), windows.map((w) => usToTimestamp(w.maxUs))],
  );
  return new Set(r.rows.map((row) => cellKey(row.s, row.ch, BigInt(row.us))));
}

/**
 * A live DELETE records a tombstone; a live SET removes it. A cell cleared again takes the new clear's time: the
 * pruner drops tombstones older than a moment no backfill job ran (tombstone-prune.ts), and a job that started after
 * the first clear may have read the value the second clear removed.
 */
export async function writeTombstones(c: pg.ClientBase, adds: readonly CellKeyRow[], removes: readonly CellKeyRow[]): Promise<void> {
  if (removes.length > 0) {
    await c.query(
      `DELETE FROM fleetpivot.cell_tombstones x USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(s, ch, t)
       WHERE x.ship_id = u.s AND x.data_channel_id = u.ch AND x.created_time = u.t`,
      arrays(removes),
    );
  }
  if (adds.length > 0) {
    await c.query(
      `INSERT INTO fleetpivot.cell_tombstones (ship_id, data_channel_id, created_time)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT (ship_id, data_channel_id, created_time) DO UPDATE SET deleted_at = EXCLUDED.deleted_at`,
      arrays(adds),
    );
  }
}
