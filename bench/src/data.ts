// Bench data: the simulator's own history loader (real Local IDs, the seed's value formats, COPY in
// chunks), into a fresh database per dataset, frozen and analysed so every system reads the same pages.
import { createNarrowTable, loadHistory } from '@fleetpivot/simulator';
import type { Pool } from '@fleetpivot/pgkit';
import { log } from './harness.ts';

export interface DatasetSpec {
  channels: number;
  rows: number;
  ships: number;
  seed: number;
}

export interface Dataset extends DatasetSpec {
  shipIds: string[];
  /** Distinct (ship, created_time): the wide rows every system must produce. */
  wideRows: number;
  loadSeconds: number;
}

/** The history a fleet is sized for: above it the same fleet gets a longer history, not more ships. */
export const FLEET_SIZED_FOR_ROWS = 1_000_000;

/**
 * Enough ships that the fleet looks like a fleet, few enough that each ship has ≥ ~100 samples per channel on a
 * 1M-row history. A larger dataset keeps that fleet and lengthens its history, so the 1M- and 10M-row datasets of
 * one channel count differ only in rows: the "flat memory from 1M to 10M rows" comparison is like with like
 * (memory that grows per ship, such as each ship's column layout, is a different question from per row).
 */
export function shipsFor(channels: number, rows: number): number {
  const fleetRows = Math.min(rows, FLEET_SIZED_FOR_ROWS);
  return Math.max(1, Math.min(10, Math.floor(fleetRows / (channels * 100))));
}

export const NARROW = 'tenant.tbl_data_timeseries';

// Fixed end so the same seed gives byte-identical data in every run.
const END_TIME = new Date('2025-01-01T00:00:00Z');

export async function loadDataset(pool: Pool, spec: DatasetSpec): Promise<Dataset> {
  const client = await pool.connect();
  try {
    // The natural key exists on most sites; with it UPDATE/DELETE capture needs no REPLICA IDENTITY FULL,
    // and a per-ship WHERE (the SQL pivot, chunked readers) can use the index.
    await createNarrowTable(client, { primaryKey: true });
  } finally {
    client.release();
  }
  let lastLog = 0;
  const result = await loadHistory(pool, {
    seed: spec.seed,
    ships: spec.ships,
    channels: spec.channels,
    rows: spec.rows,
    endTime: END_TIME,
    onProgress: (p) => {
      if (p.seconds - lastLog > 15) {
        lastLog = p.seconds;
        log(`  loading ${p.rows.toLocaleString()} / ${p.totalRows.toLocaleString()} rows (${Math.round(p.seconds)} s)`);
      }
    },
  });
  // VACUUM sets hint bits and the visibility map now, so the first system to read does not pay for it.
  await pool.query(`VACUUM (FREEZE, ANALYZE) ${NARROW}`);
  const wide = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT DISTINCT ship_id, created_time FROM ${NARROW}) d`);
  return { ...spec, shipIds: result.ships, wideRows: Number(wide.rows[0]?.n ?? 0), loadSeconds: result.seconds };
}
