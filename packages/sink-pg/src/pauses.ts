import type pg from 'pg';

export interface PauseState {
  all: boolean;
  ships: ReadonlySet<string>;
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

export async function readPauses(db: pg.Pool | pg.ClientBase): Promise<PauseState> {
  const r = await db.query<{ all_ships: boolean; ship_id: string }>('SELECT all_ships, ship_id FROM fleetpivot.consumer_pauses');
  return { all: r.rows.some((x) => x.all_ships), ships: new Set(r.rows.filter((x) => !x.all_ships).map((x) => x.ship_id)) };
}

export function isPaused(state: PauseState, ship: string | null): boolean {
  return state.all || (ship !== null && state.ships.has(ship));
}
