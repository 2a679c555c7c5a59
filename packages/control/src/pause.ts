import type pg from 'pg';
import { pauseShips, readPauses, resumeShips, type PauseState } from '@fleetpivot/sink-pg';
import { recordAudit } from './audit.ts';

export type ShipSelection = 'all' | readonly string[];

/** Pauses the pivot for the chosen ships (the rollback lever) and records who did it and why. */
export async function pause(db: pg.Pool, ships: ShipSelection, actor: string, reason = ''): Promise<PauseState> {
  await pauseShips(db, ships, reason);
  await recordAudit(db, { actor, action: 'pause', target: ships === 'all' ? 'all' : ships.join(','), details: { reason } });
  return readPauses(db);
}

export async function resume(db: pg.Pool, ships: ShipSelection, actor: string): Promise<PauseState> {
  await resumeShips(db, ships);
  await recordAudit(db, { actor, action: 'resume', target: ships === 'all' ? 'all' : ships.join(',') });
  return readPauses(db);
}
