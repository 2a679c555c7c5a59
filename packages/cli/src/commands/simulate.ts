import { createPool, quoteQualified } from '@fleetpivot/pgkit';
import type { Pool } from '@fleetpivot/pgkit';
import { createNarrowTable, loadHistory, startLive, SimulatorError } from '@fleetpivot/simulator';
import type { HistoryResult, LiveStats } from '@fleetpivot/simulator';
import { ensureStack } from '@fleetpivot/stack';
import type { Command, CommandIo } from '../command.ts';
import { parseSimulateArgs } from './simulate-options.ts';
import type { SimulateOptions } from './simulate-options.ts';
import { simulateUsage } from './simulate-usage.ts';

export const simulate: Command = {
  name: 'simulate',
  summary: 'create tenant.tbl_data_timeseries and write a simulated fleet: bulk history and/or live minute batches',
  usage: simulateUsage,
  run: async (args, io) => runSimulate(parseSimulateArgs(args), io),
};

/** Hides a password in a URL before it is printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparsable url>';
  }
}

async function connect(url: string, fromFlag: boolean): Promise<Pool> {
  const pool = createPool({ connectionString: url, applicationName: 'fleetpivot-simulate', max: 2 });
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (err) {
    await pool.end().catch(() => undefined);
    const where = fromFlag ? '--url' : 'the stack source URL';
    throw new SimulatorError('connect_failed', `cannot connect to ${redactUrl(url)} (${where}): ${(err as Error).message || String(err)}`, { cause: err });
  }
}

async function runSimulate(o: SimulateOptions, io: CommandIo): Promise<number> {
  const url = o.url ?? (await ensureStack({ env: io.env })).sourceUrl;
  const pool = await connect(url, o.url !== undefined);
  const out: { url: string; table: string; history?: Omit<HistoryResult, 'fleet'>; live?: LiveStats } = { url: redactUrl(url), table: `${o.schema}.${o.table}` };
  const say = (line: string): void => { if (!o.json) io.stdout(line); };
  try {
    const client = await pool.connect();
    try {
      if (o.reset) await client.query(`DROP TABLE IF EXISTS ${quoteQualified(o.schema, o.table)}`);
      await createNarrowTable(client, { schema: o.schema, table: o.table, primaryKey: o.primaryKey, replicaIdentityFull: o.replicaIdentityFull });
    } finally {
      client.release();
    }
    const fleet = { seed: o.seed, ships: o.ships, channels: o.channels, schema: o.schema, table: o.table, sampleMs: o.sampleMs };
    let history: HistoryResult | undefined;
    if (o.history) {
      say(`history: ${o.ships} ships x ${o.channels} channels into ${out.table} at ${out.url}`);
      let shownAt = 0;
      const onProgress = (p: { rows: number; totalRows: number; seconds: number }): void => {
        if (p.seconds - shownAt < 5 || p.rows === p.totalRows) return; // a line every 5 s is enough for a human
        shownAt = p.seconds;
        say(`  ${p.rows}/${p.totalRows} rows, ${p.seconds.toFixed(1)} s`);
      };
      history = await loadHistory(pool, { ...fleet, ...o.history, onProgress });
      const { fleet: _fleet, ...summary } = history;
      out.history = summary;
      const days = ((history.endStep - history.firstStep) * history.sampleMs) / 86_400_000;
      say(`history: ${history.rows} rows (${o.ships} ships x ${o.channels} channels x ${days.toFixed(2)} days) in ${history.seconds.toFixed(2)} s, ${Math.round(history.rowsPerSecond)} rows/s`);
    }
    if (o.live) {
      say(`live: one batch per ship every ${o.live.intervalMs} ms${o.live.ticks === undefined && o.live.durationMs === undefined ? ' until Ctrl-C' : ''}`);
      const live = startLive(pool, {
        ...fleet, ...o.live, history,
        onTick: (r) => say(`  tick ${r.tick}: ${r.stats.inserted} inserted, ${r.stats.lateInserted} late, ${r.stats.updated} updated, ${r.stats.deleted} deleted, ${r.stats.ships} ships${r.overran ? `  OVERRAN (${Math.round(r.tookMs)} ms)` : ''}`),
      });
      const stop = (): void => void live.stop().catch(() => undefined);
      io.signal.addEventListener('abort', stop, { once: true });
      try {
        out.live = await live.done;
      } finally {
        io.signal.removeEventListener('abort', stop);
      }
      const s = out.live;
      say(`live: ${s.ticks} ticks, ${s.inserted} inserted, ${s.lateInserted} late, ${s.updated} updated, ${s.deleted} deleted, ${s.newShips} new ships, ${s.newChannels} new channels, ${s.overruns} overruns`);
    }
    if (o.json) io.stdout(JSON.stringify(out));
    return 0;
  } finally {
    await pool.end();
  }
}
