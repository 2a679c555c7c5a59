/**
 * The V8 heap flags each service runs with: the Dockerfile, the Kubernetes manifests, the demo and the benchmark
 * start them so (test/unit/node-flags.test.ts keeps them in step). Without a cap V8 grows the heap lazily under a
 * high allocation rate, so RSS follows how long a run lasts rather than what it holds (measured: the pivot's peak
 * went from 340 to 685 MiB between a 1M- and a 10M-row backfill at 5,000 channels per ship; the capture's from
 * ~250 to ~450 MB on a one-million-row transaction). A small young generation and a capped old generation make
 * the collector work instead; each service's working set is bounded by design (batch and chunk caps), well below.
 * The young generation is kept small on purpose: what the pivot and the backfill throw away fast is mostly
 * off-heap (socket reads, COPY and Kafka buffers) behind small on-heap handles, and only a scavenge frees it
 * early; with 8 MiB semi-spaces scavenges were rare, V8 let that garbage reach ~64 MiB before a full collection,
 * and peak RSS grew with the run's length (10M rows at 100 channels: pivot 153 → 133 MiB, backfill 178 → 171
 * with semi-spaces of 2 and 1 MiB; at 5,000 channels the pivot 178–187 → 158–167; throughput within the noise).
 */
export const SERVICE_NODE_FLAGS = {
  capture: ['--max-semi-space-size=2', '--max-old-space-size=160'],
  pivot: ['--max-semi-space-size=2', '--max-old-space-size=256'],
  backfill: ['--max-semi-space-size=1', '--max-old-space-size=384'],
} as const satisfies Record<string, readonly string[]>;

export type ServiceName = keyof typeof SERVICE_NODE_FLAGS;

/**
 * The C allocator's setting every service runs with, in its environment (glibc reads it once, at process start, so
 * the Dockerfile's base stage sets it, serviceProcess below for the demo, the bench and the bundle test; the unit
 * test test/unit/node-flags.test.ts checks the Dockerfile). glibc's mmap threshold starts at 128 KiB but follows the
 * largest block freed so far: after the first ~10 MiB Kafka fetch response is freed, every buffer below 10 MiB (COPY
 * payloads, record batches) comes from the heap arenas instead, and the trim threshold rises with it, so what those
 * buffers leave behind stays resident; the longer the run, the more of it. Setting the threshold fixes both: big
 * buffers are mapped and unmapped, and the heap top is returned above 128 KiB free. Measured, 5,000 channels per
 * ship, 10M rows: pivot peak RSS 145–167 → 126–148 MiB, backfill 130–144 → 123–132; at 1M rows the pivot 130–139 →
 * 121–130. The price: more page faults and allocator syscalls (~400 against ~90 in 7 s of the pivot), ~5 % slower at
 * 100 channels and 10M rows, within the noise at 5,000 channels (docs/performance.md, "The 17:47 round").
 */
export const SERVICE_ALLOCATOR_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' } as const satisfies Record<string, string>;

/**
 * How a service process is started outside its image, the way the image starts it: node's flags (to go before the
 * entry file) and `env` with the allocator setting added (a value in `env` wins). The demo, the bench and the bundle
 * test start services through this, so a new flag or variable is added in one place.
 */
export function serviceProcess(name: ServiceName, env: Record<string, string | undefined>): { nodeArgs: string[]; env: Record<string, string | undefined> } {
  return { nodeArgs: ['--disable-warning=TimeoutNegativeWarning', ...SERVICE_NODE_FLAGS[name]], env: { ...SERVICE_ALLOCATOR_ENV, ...env } };
}
