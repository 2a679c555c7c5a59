import { Registry, collectDefaultMetrics } from 'prom-client';

/** Each service owns one registry: no global default registry shared across packages or tests. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'fleetpivot_' });
  return registry;
}

/** Buckets for latencies from sub-millisecond batches to multi-second stalls. */
export const latencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export { Counter, Gauge, Histogram, Registry } from 'prom-client';
