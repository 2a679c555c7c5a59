// Where the harness meets fleetpivot's own services (run as child processes, as in production).
// A part that cannot run here reports "not measured: <reason>" instead of a number.
import type { StackInfo } from '@fleetpivot/stack';
import type { BackfillRunner } from './backfill.ts';
import { fleetpivotBackfill } from './fleetpivot-backfill.ts';
import type { RunOptions, ScenarioResult } from './harness.ts';
import { liveLatencyScenario, liveRampScenario } from './live.ts';
import { replicasScenario } from './replicas.ts';

export interface PipelineParts {
  backfill: BackfillRunner | string;
  scenarios(options: RunOptions): { id: string; run: () => Promise<ScenarioResult> }[];
}

export async function pipelineParts(stack: StackInfo, options: RunOptions): Promise<PipelineParts> {
  // Verified every time in a quick run; in a full run the first repeat of each dataset (verify is slow).
  const backfill = fleetpivotBackfill(stack, { verify: (attempt) => options.quick || attempt === 0 });
  return {
    backfill,
    scenarios: (o) => [
      { id: 'live/latency', run: () => liveLatencyScenario(stack, o) },
      { id: 'live/throughput', run: () => liveRampScenario(stack, o) },
      { id: 'scaling/replicas', run: () => replicasScenario(stack, o) },
    ],
  };
}
