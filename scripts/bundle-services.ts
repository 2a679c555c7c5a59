// Bundles each service into one ESM file (plus one chunk for its dynamic import) for the container images and the
// benchmark. A one-shot backfill Job pays module loading on every start: ~490 modules of TypeScript sources and
// packages took 0.50-0.57 s from `node main.ts` to exit on a 2-core AMD host, bundled 0.28-0.35 s (compile cache
// on in both). pg and kafkajs stay outside: pgkit and transport-kafka patch their internals by module path
// (exact-bind.ts, kafkajs-*-rope.ts), and pg-logical-replication and pg-copy-streams must share that one pg.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { rolldown } from 'rolldown';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const BUNDLED_SERVICES = ['capture', 'pivot', 'backfill'] as const;
export type BundledService = (typeof BUNDLED_SERVICES)[number];
/** Packages loaded from node_modules at run time, never copied into a bundle. */
export const BUNDLE_EXTERNAL = /^(pg|pg-[a-z-]+|kafkajs)(\/|$)/;
/** Inside the repository, so the bundles' imports of BUNDLE_EXTERNAL resolve to its node_modules. */
export const DEFAULT_BUNDLE_DIR = join(REPO_ROOT, 'dist', 'services');

/** `<outDir>/<service>/main.mjs`, the file `node` runs. */
export function bundleEntry(outDir: string, service: BundledService): string {
  return join(outDir, service, 'main.mjs');
}

export async function bundleServices(outDir = DEFAULT_BUNDLE_DIR, services: readonly BundledService[] = BUNDLED_SERVICES): Promise<string[]> {
  const entries: string[] = [];
  for (const service of services) {
    const bundle = await rolldown({
      input: { main: join(REPO_ROOT, 'services', service, 'src', 'main.ts') },
      platform: 'node',
      external: BUNDLE_EXTERNAL,
      logLevel: 'warn',
    });
    try {
      // Emptied first: a chunk's file name carries its content hash, so an earlier build's would stay beside it.
      await rm(join(outDir, service), { recursive: true, force: true });
      await bundle.write({ dir: join(outDir, service), format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' });
    } finally {
      await bundle.close();
    }
    entries.push(bundleEntry(outDir, service));
  }
  return entries;
}

if (import.meta.main) {
  const outDir = resolve(process.argv[2] ?? DEFAULT_BUNDLE_DIR);
  for (const entry of await bundleServices(outDir)) process.stdout.write(`${entry}\n`);
}
