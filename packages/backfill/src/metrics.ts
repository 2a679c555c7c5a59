import { Counter, Gauge, type Registry } from '@fleetpivot/telemetry';

export interface BackfillMetrics {
  rows: Counter<'job'>;
  progress: Gauge<'ship'>;
  chunks: Counter<'status'>;
}

const byRegistry = new WeakMap<Registry, BackfillMetrics>();

/**
 * Registered on the service's registry, so they are served on /metrics while the job runs. One set per
 * registry: a process that runs several jobs (the demo, a test) reuses it instead of registering twice.
 */
export function createBackfillMetrics(registry: Registry): BackfillMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics = {
    rows: new Counter({ name: 'fleetpivot_backfill_rows_total', help: 'Narrow rows produced to Kafka by the backfill (acknowledged)', labelNames: ['job'], registers }),
    progress: new Gauge({ name: 'fleetpivot_backfill_progress_ratio', help: "Fraction of a ship's planned backfill rows done (0..1)", labelNames: ['ship'], registers }),
    chunks: new Counter({ name: 'fleetpivot_backfill_chunks_total', help: 'Backfill chunks finished, by outcome', labelNames: ['status'], registers }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
