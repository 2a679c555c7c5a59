/**
 * The V8 heap flags each service runs with: the Dockerfile, the Kubernetes manifests, the demo and the benchmark
 * start them so (test/unit/node-flags.test.ts keeps them in step). Without a cap V8 grows the heap lazily under a
 * high allocation rate, so RSS follows how long a run lasts rather than what it holds (measured: the pivot's peak
 * went from 340 to 685 MiB between a 1M- and a 10M-row backfill at 5,000 channels per ship; the capture's from
 * ~250 to ~450 MB on a one-million-row transaction). A small young generation and a capped old generation make
 * the collector work instead; each service's working set is bounded by design (batch and chunk caps), well below.
 */
export const SERVICE_NODE_FLAGS = {
  capture: ['--max-semi-space-size=2', '--max-old-space-size=160'],
  pivot: ['--max-semi-space-size=8', '--max-old-space-size=256'],
  backfill: ['--max-semi-space-size=8', '--max-old-space-size=384'],
} as const satisfies Record<string, readonly string[]>;

export type ServiceName = keyof typeof SERVICE_NODE_FLAGS;
