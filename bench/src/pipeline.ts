// Where the harness meets fleetpivot's own services. Each part is plugged in when its programmatic API or
// service entry point exists; until then its figures say "not measured: <part> unavailable".
import type { StackInfo } from '@fleetpivot/stack';
import type { BackfillRunner } from './backfill.ts';
import { fleetpivotBackfill } from './fleetpivot-backfill.ts';
import { notMeasured, type RunOptions, type ScenarioResult } from './harness.ts';

export interface PipelineParts {
  backfill: BackfillRunner | string;
  scenarios(options: RunOptions): { id: string; run: () => Promise<ScenarioResult> }[];
}

function unavailable(id: string, title: string, metrics: [string, string, boolean][], reason: string): ScenarioResult {
  return {
    id,
    title,
    params: {},
    measurements: metrics.map(([metric, unit, higher]) => notMeasured('fleetpivot', metric, unit, higher, reason)),
    comparisons: [],
    elapsedS: 0,
  };
}

export async function pipelineParts(stack: StackInfo, options: RunOptions): Promise<PipelineParts> {
  // Verified every time in a quick run; in a full run the first repeat of each dataset (verify is slow).
  const backfill = fleetpivotBackfill(stack, { verify: (attempt) => options.quick || attempt === 0 });
  const live = 'unavailable: the capture and pivot services have not landed';
  return {
    backfill,
    scenarios: () => [
      { id: 'live/latency', run: async () => unavailable('live/latency', 'Live commit-to-visible latency', [['latency p50', 'ms', false], ['latency p95', 'ms', false], ['latency p99', 'ms', false]], live) },
      { id: 'live/throughput', run: async () => unavailable('live/throughput', 'Sustained live throughput', [['sustained throughput', 'narrow rows/s', true]], live) },
      { id: 'scaling/replicas', run: async () => unavailable('scaling/replicas', 'Throughput vs pivot consumer replicas', [['throughput', 'narrow rows/s', true]], live) },
    ],
  };
}
