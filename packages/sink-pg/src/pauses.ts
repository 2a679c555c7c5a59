import type pg from 'pg';

export interface PauseState {
  all: boolean;
  ships: ReadonlySet<string>;
  /** Rolled-back ships → the last backfill job id they ignore (backfill-fences.ts). */
  fences: ReadonlyMap<string, bigint>;
}

/** Pauses the pivot for every ship (`'all'`) or the named ships; consumers stop applying them within ~1 s. */
export async function pauseShips(db: pg.Pool | pg.ClientBase, ships: 'all' | readonly string[], reason = ''): Promise<void> {
  if (ships === 'all') {
    await db.query(`INSERT INTO fleetpivot.consumer_pauses (all_ships, ship_id, reason) VALUES (true, '', $1) ON CONFLICT DO NOTHING`, [reason]);
    return;
  }
  await db.query(
    `INSERT INTO fleetpivot.consumer_pauses (all_ships, ship_id, reason) SELECT false, s, $2 FROM unnest($1::text[]) s ON CONFLICT DO NOTHING`,
    [ships, reason],
  );
}

/** Lifts pauses: `'all'` lifts every pause (the all-ships one and each ship's), otherwise the named ships'. */
export async function resumeShips(db: pg.Pool | pg.ClientBase, ships: 'all' | readonly string[]): Promise<void> {
  if (ships === 'all') await db.query('DELETE FROM fleetpivot.consumer_pauses');
  else await db.query('DELETE FROM fleetpivot.consumer_pauses WHERE NOT all_ships AND ship_id = ANY($1::text[])', [ships]);
}

/**
 * Pauses and fences in one statement, so in one snapshot: a rollback fences its ship before the ship can be
 * resumed, so a consumer that sees the ship resumed also sees its fence.
 */
export async function readPauses(db: pg.Pool | pg.ClientBase): Promise<PauseState> {
  const r = await db.query<{ all_ships: boolean; ship_id: string; fence: string | null }>(
    `SELECT all_ships, ship_id, NULL::text AS fence FROM fleetpivot.consumer_pauses
     UNION ALL SELECT false, ship_id, backfill_job_fence::text FROM fleetpivot.ship_fences`,
  );
  const pauses = r.rows.filter((x) => x.fence === null);
  return {
    all: pauses.some((x) => x.all_ships),
    ships: new Set(pauses.filter((x) => !x.all_ships).map((x) => x.ship_id)),
    fences: new Map(r.rows.filter((x) => x.fence !== null).map((x) => [x.ship_id, BigInt(x.fence!)])),
  };
}

export function isPaused(state: PauseState, ship: string | null): boolean {
  return state.all || (ship !== null && state.ships.has(ship));
}
