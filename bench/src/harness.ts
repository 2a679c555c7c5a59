// The harness's vocabulary: every figure is a Measurement of one system in one scenario, repeated and
// reported as min/median/max, or an explicit "not measured" with the reason (never a made-up number).
import { ratio, spread, type Spread } from './stats.ts';

export type Outcome =
  | { kind: 'measured'; spread: Spread; samples: number[]; details?: Record<string, unknown> }
  | { kind: 'not measured'; reason: string };

export interface Measurement {
  /** 'fleetpivot', 'sql-pivot', 'floor', 'kafkajs', ... */
  system: string;
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  outcome: Outcome;
}

export interface Comparison {
  metric: string;
  /** system / baseline on the medians, oriented so > 1 means the system is better. */
  system: string;
  baseline: string;
  factor: number | null;
  note?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  params: Record<string, unknown>;
  measurements: Measurement[];
  comparisons: Comparison[];
  /** Time series for plots (e.g. RSS samples), kept in the JSON. */
  series?: Record<string, [number, number][]>;
  elapsedS: number;
  /** CPU pressure (PSI "some", %) over 2 s with the suite idle just before the scenario (host-pressure.ts). */
  hostPressureIdlePct?: number | null;
}

export interface RunOptions {
  quick: boolean;
  /** Profile one backfill under --cpu-prof instead of running the suite. */
  profile?: boolean;
  /** Channels per ship of the profiled dataset (default 100). */
  channels?: number;
  repeats: number;
  /** Scenario ids (prefix match) to run; empty = all. */
  only: string[];
  /** How the services run: bundled as in the container images (default) or from their TypeScript sources. */
  servicesFrom: ServicesFrom;
}

/** `bundle`: as the container images run them (scripts/bundle-services.ts); `source`: `node services/<name>/src/main.ts`. */
export type ServicesFrom = 'bundle' | 'source';

export function measured(system: string, metric: string, unit: string, higherIsBetter: boolean, samples: number[], details?: Record<string, unknown>): Measurement {
  return { system, metric, unit, higherIsBetter, outcome: { kind: 'measured', spread: spread(samples), samples, ...(details ? { details } : {}) } };
}

export function notMeasured(system: string, metric: string, unit: string, higherIsBetter: boolean, reason: string): Measurement {
  return { system, metric, unit, higherIsBetter, outcome: { kind: 'not measured', reason } };
}

export function medianOf(m: Measurement | undefined): number | null {
  return m?.outcome.kind === 'measured' ? m.outcome.spread.median : null;
}

/** Compares `system` to each baseline on one metric; a missing side gives factor null with the reason. */
export function compare(measurements: readonly Measurement[], metric: string, system: string, baselines: readonly string[]): Comparison[] {
  const find = (s: string): Measurement | undefined => measurements.find((m) => m.system === s && m.metric === metric);
  const mine = find(system);
  return baselines.map((baseline) => {
    const other = find(baseline);
    const higher = mine?.higherIsBetter ?? other?.higherIsBetter ?? true;
    const factor = higher ? ratio(medianOf(mine), medianOf(other)) : ratio(medianOf(other), medianOf(mine));
    const missing = [mine, other].find((m) => m?.outcome.kind === 'not measured');
    const note = missing?.outcome.kind === 'not measured' ? `${missing.system}: ${missing.outcome.reason}` : undefined;
    return { metric, system, baseline, factor, ...(note ? { note } : {}) };
  });
}

/** Runs `fn` `repeats` times, collecting one number per run; the first error stops the figure with its reason. */
export async function repeat(repeats: number, fn: (i: number) => Promise<number>): Promise<{ samples: number[]; error?: string }> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    try {
      samples.push(await fn(i));
    } catch (err) {
      return { samples, error: err instanceof Error ? err.message : String(err) };
    }
  }
  return { samples };
}

export function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

export function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Rejects after `ms` (a hung client must fail its figure, not silently drain the event loop). */
export async function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
