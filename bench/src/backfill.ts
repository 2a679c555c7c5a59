// Scenario 1: history narrow → wide at several channel counts, fleetpivot next to the SQL pivot and the
// floor, each repeated on the SAME dataset in the SAME run (interleaved, so drift hits all alike).
import { createTestDatabase } from '@fleetpivot/testing';
import type { StackInfo } from '@fleetpivot/stack';
import { loadDataset, shipsFor, type Dataset } from './data.ts';
import { runFloor } from './floor.ts';
import { compare, log, measured, notMeasured, repeat, type Measurement, type RunOptions, type ScenarioResult } from './harness.ts';
import { runSqlPivot, sqlPivotImpossible, type BaselineRun } from './sql-pivot.ts';
import type { Pool } from '@fleetpivot/pgkit';

/** fleetpivot's end-to-end backfill; resolves with timings or rejects with "unavailable: ..." (pipeline.ts). */
export type BackfillRunner = (pool: Pool, dbUrl: string, data: Dataset, attempt: number) => Promise<FleetpivotRun>;

export interface FleetpivotRun extends BaselineRun {
  peakRssMiB: Record<string, number>;
  rss: Record<string, [number, number][]>;
}

export interface BackfillCase {
  channels: number;
  rows: number;
}

export function backfillCases(quick: boolean): BackfillCase[] {
  const rows = quick ? [100_000] : [1_000_000, 10_000_000];
  return rows.flatMap((r) => [100, 1_000, 5_000].map((channels) => ({ channels, rows: r })));
}

type System = 'fleetpivot' | 'sql-pivot' | 'floor';

/** SQL-pivot seconds per narrow row seen earlier in this run, per channel count (it is linear in rows). */
const sqlSecondsPerRow = new Map<number, number>();

/** One SQL-pivot repeat may take this long (estimated from a smaller dataset of this run) before it is skipped. */
export const SQL_PIVOT_BUDGET_S = 900;

function sqlPivotOverBudget(c: BackfillCase): string | undefined {
  const perRow = sqlSecondsPerRow.get(c.channels);
  if (perRow === undefined) return undefined;
  const estimate = perRow * c.rows;
  return estimate > SQL_PIVOT_BUDGET_S
    ? `not run: estimated ${Math.round(estimate / 60)} min per repeat from its ${Math.round(1 / perRow).toLocaleString('en')} rows/s on the smaller dataset of this run (it is linear in rows), over the ${SQL_PIVOT_BUDGET_S / 60}-min budget`
    : undefined;
}

export async function backfillScenario(stack: StackInfo, c: BackfillCase, options: RunOptions, fleetpivot: BackfillRunner | string): Promise<ScenarioResult> {
  const started = process.hrtime.bigint();
  const db = await createTestDatabase(stack, 'bench_backfill');
  try {
    const ships = shipsFor(c.channels, c.rows);
    log(`backfill ${c.channels} channels/ship, ${c.rows.toLocaleString('en')} rows, ${ships} ships: loading`);
    const data = await loadDataset(db.pool, { channels: c.channels, rows: c.rows, ships, seed: 6 });
    log(`  loaded in ${data.loadSeconds.toFixed(1)} s (${data.wideRows.toLocaleString('en')} wide rows)`);
    // A 10M-row repeat of every system takes ~10 minutes on 2 cores: there the baselines run once (documented),
    // fleetpivot every repeat (~30-50 s each, verified only the first time), so that its peak RSS on the larger
    // dataset is a median like on the smaller one: the flatness verdict compares two medians, not a median and a
    // single sample of a noisy peak.
    const large = c.rows >= 10_000_000;
    const runs: Record<System, (i: number) => Promise<BaselineRun>> = {
      'sql-pivot': () => runSqlPivot(db.pool, data),
      floor: () => runFloor(db.pool, data),
      fleetpivot: (i) => (typeof fleetpivot === 'string' ? Promise.reject(new Error(fleetpivot)) : fleetpivot(db.pool, db.url, data, i)),
    };
    const samples: Record<System, number[]> = { fleetpivot: [], 'sql-pivot': [], floor: [] };
    const phases: Record<System, Record<string, number>[]> = { fleetpivot: [], 'sql-pivot': [], floor: [] };
    const failed: Partial<Record<System, string>> = {};
    const peaks: Record<string, number[]> = {};
    const series: Record<string, [number, number][]> = {};
    const impossible = sqlPivotImpossible(c.channels) ?? sqlPivotOverBudget(c);
    if (impossible) failed['sql-pivot'] = impossible;
    if (typeof fleetpivot === 'string') failed.fleetpivot = fleetpivot;
    await repeat(options.repeats, async (i) => {
      for (const system of ['sql-pivot', 'floor', 'fleetpivot'] as const) {
        if (failed[system] || (large && i > 0 && system !== 'fleetpivot')) continue;
        try {
          const run = await runs[system](i);
          if ('peakRssMiB' in run) {
            const fp = run as FleetpivotRun;
            for (const [svc, mib] of Object.entries(fp.peakRssMiB)) (peaks[svc] ??= []).push(mib);
            if (i === 0) for (const [svc, pts] of Object.entries(fp.rss)) series[`rssMiB:${svc}`] = pts;
          }
          samples[system].push(data.rows / run.seconds);
          if (system === 'sql-pivot') sqlSecondsPerRow.set(c.channels, run.seconds / data.rows);
          phases[system].push(run.phases);
          log(`  ${system}: ${run.seconds.toFixed(2)} s = ${Math.round(data.rows / run.seconds).toLocaleString('en')} rows/s`);
        } catch (err) {
          failed[system] = `failed: ${err instanceof Error ? err.message : String(err)}`;
          log(`  ${system}: ${failed[system]}`);
        }
      }
      return 0;
    });
    const measurements: Measurement[] = (['fleetpivot', 'sql-pivot', 'floor'] as const).map((system) =>
      failed[system] && samples[system].length === 0
        ? notMeasured(system, 'throughput', 'narrow rows/s', true, failed[system]!)
        : measured(system, 'throughput', 'narrow rows/s', true, samples[system], { phases: phases[system], ...(failed[system] ? { error: failed[system] } : {}) }),
    );
    for (const [svc, values] of Object.entries(peaks)) measurements.push(measured(`fleetpivot ${svc}`, 'peak RSS', 'MiB', false, values));
    return {
      id: `backfill/${c.channels}ch/${c.rows}`,
      title: `Backfill ${c.rows.toLocaleString('en')} narrow rows, ${c.channels.toLocaleString('en')} channels/ship, ${ships} ships`,
      params: { ...c, ships, wideRows: data.wideRows, loadSeconds: data.loadSeconds, repeats: options.repeats },
      measurements,
      comparisons: compare(measurements, 'throughput', 'fleetpivot', ['sql-pivot', 'floor']).concat(compare(measurements, 'throughput', 'floor', ['sql-pivot'])),
      series,
      elapsedS: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    await db.drop();
  }
}
