import type { VerifyResult } from '@fleetpivot/sink-pg';

export interface DemoReport {
  verified: boolean;
  narrowRows: number;
  wideRows: number;
  narrowCells: number;
  wideCells: number;
  mismatches: number;
  ships: number;
  channels: number;
  seconds: number;
  historyRows: number;
  backfill: { rows: number; seconds: number; jobId: string };
  live: { inserts: number; updates: number; deletes: number; ticks: number; newShips: number; newChannels: number };
  drainSeconds: number;
  database: string;
  wideSchema: string;
  topic: string;
  logs: string;
  failedShips: Array<{ shipId: string; mismatches: number; sample: VerifyResult['sample'] }>;
}

export function summarize(results: readonly VerifyResult[]) {
  const failed = results.filter((r) => r.mismatches > 0 || r.expectedCells !== r.actualCells);
  return {
    verified: results.length > 0 && failed.length === 0,
    narrowCells: results.reduce((n, r) => n + r.expectedCells, 0),
    wideCells: results.reduce((n, r) => n + r.actualCells, 0),
    mismatches: results.reduce((n, r) => n + r.mismatches, 0),
    failedShips: failed.slice(0, 5).map((r) => ({ shipId: r.shipId, mismatches: r.mismatches, sample: r.sample.slice(0, 3) })),
  };
}

export function humanReport(r: DemoReport): string[] {
  const lines = [
    '',
    r.verified ? 'VERIFIED: every narrow cell is in its wide table, and nothing else is.' : 'NOT VERIFIED: the wide tables differ from the narrow table.',
    `  narrow rows ${r.narrowRows.toLocaleString('en')} → wide rows ${r.wideRows.toLocaleString('en')} in ${r.ships} ships (${r.channels} channel columns)`,
    `  cells: expected ${r.narrowCells.toLocaleString('en')}, found ${r.wideCells.toLocaleString('en')}, mismatches ${r.mismatches}`,
    `  history ${r.historyRows.toLocaleString('en')} rows backfilled (job ${r.backfill.jobId}, ${r.backfill.rows.toLocaleString('en')} rows in ${r.backfill.seconds.toFixed(1)} s)`,
    `  live writes while it ran: ${r.live.inserts} inserts, ${r.live.updates} updates, ${r.live.deletes} deletes in ${r.live.ticks} ticks (${r.live.newShips} new ships, ${r.live.newChannels} new channels); drained in ${r.drainSeconds.toFixed(1)} s`,
    `  total ${r.seconds.toFixed(1)} s`,
    '',
    'The migrated data stays in place:',
    `  psql '${r.database}'`,
    `  SELECT * FROM fleetpivot.ship_tables;            -- ship → wide table`,
    `  SELECT * FROM fleetpivot.channel_columns LIMIT 5; -- channel → table, column, type`,
    `  wide tables are in schema ${r.wideSchema}; change events on topic ${r.topic}; service logs in ${r.logs}`,
  ];
  for (const f of r.failedShips) lines.push(`  ship ${f.shipId}: ${f.mismatches} mismatches, e.g. ${JSON.stringify(f.sample[0])}`);
  return lines;
}
