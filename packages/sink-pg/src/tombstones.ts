import type pg from 'pg';
import type { CellKeyRow } from './plan.ts';
import { cellKey, usToTimestamp } from './plan.ts';

const arrays = (cells: readonly CellKeyRow[]) => [cells.map((c) => c.ship), cells.map((c) => c.channel), cells.map((c) => usToTimestamp(c.timeUs))];

/** Which of these FILL cells were deleted live (and so must stay empty). */
export async function tombstonedCells(c: pg.ClientBase, cells: readonly CellKeyRow[]): Promise<Set<string>> {
  if (cells.length === 0) return new Set();
  const r = await c.query<{ i: number }>(
    `SELECT u.i::int AS i FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS u(s, ch, t, i)
     WHERE EXISTS (SELECT 1 FROM fleetpivot.cell_tombstones x WHERE x.ship_id = u.s AND x.data_channel_id = u.ch AND x.created_time = u.t)`,
    arrays(cells),
  );
  return new Set(r.rows.map((row) => { const k = cells[row.i - 1]!; return cellKey(k.ship, k.channel, k.timeUs); }));
}

/** A live DELETE records a tombstone; a live SET removes it. */
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
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      arrays(adds),
    );
  }
}
