import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitReady } from '@fleetpivot/cli';
import { SERVICE_ALLOCATOR_ENV, serviceProcess } from '@fleetpivot/config';
import { verifyAll } from '@fleetpivot/sink-pg';
import { freePort } from '@fleetpivot/stack';
import { uniqueName } from '@fleetpivot/testing';
import { BUNDLE_EXTERNAL, BUNDLED_SERVICES, REPO_ROOT, bundleEntry, bundleServices, type BundledService } from '../../scripts/bundle-services.ts';
import { backfillEnv, insertRows, type BackfillEnv } from '../backfill/helpers.ts';
import { logChildTo, type ChildExit } from '../support/child-log.ts';
import { until } from '../support/pipeline.ts';

// The container images run the services bundled (Dockerfile, scripts/bundle-services.ts), the other tests run them
// from their sources: this file runs the bundles themselves, all three, as the images do, on a real stack.
const stack = inject('stack');
// Inside the repository: the bundles import pg and kafkajs from its node_modules, as from /app/node_modules in an image.
const outDir = join(REPO_ROOT, '.stack', uniqueName('test_bundles'));
const children = new Set<ChildProcess>();
let env: BackfillEnv | undefined;

beforeAll(async () => {
  await bundleServices(outDir);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await env?.close();
  await rm(outDir, { recursive: true, force: true });
});

interface Running {
  name: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<ChildExit>;
  log(): string;
  stop(): Promise<ChildExit>;
}

/** `node <bundle>/main.mjs` (or another `entry`) with the image's heap flags and allocator setting, its HTTP port on `port`. */
function startBundled(service: BundledService, serviceEnv: Record<string, string>, port = 0, entry = bundleEntry(outDir, service)): Running {
  const logFile = `/tmp/${uniqueName(`bundled_${service}`)}.log`;
  const portVar = `${service.toUpperCase()}_HTTP_PORT`;
  const launch = serviceProcess(service, { PATH: process.env.PATH ?? '', KAFKA_BROKERS: stack.kafkaBrokers.join(','), LOG_LEVEL: 'info', [portVar]: String(port), ...serviceEnv });
  const child = spawn(process.execPath, [...launch.nodeArgs, entry], {
    env: launch.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = logChildTo(child, logFile).finally(() => children.delete(child));
  return {
    name: service,
    port,
    child,
    logFile,
    exited,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Bare module specifiers a bundle still loads at run time (static imports, dynamic imports, CommonJS requires). */
function runtimeImports(dir: string): Set<string> {
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs'))) {
    const code = readFileSync(join(dir, file), 'utf8');
    // Import statements start a line in rolldown's output; requires of what stays outside go through __require.
    for (const m of code.matchAll(/^import\s(?:[^;'"]*?\sfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\b__require\(\s*["']([^"']+)["']\s*\)/gm)) {
      const id = m[1] ?? m[2] ?? m[3]!;
      if (!id.startsWith('.')) found.add(id);
    }
  }
  return found;
}

describe('the bundled services (as the container images run them)', () => {
  it('load nothing at run time but Node built-ins and the packages kept outside on purpose', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const service of BUNDLED_SERVICES) {
      const imports = [...runtimeImports(join(outDir, service))];
      expect(imports.length, service).toBeGreaterThan(0);
      const unexpected = imports.filter((m) => !builtins.has(m) && !BUNDLE_EXTERNAL.test(m));
      expect({ service, unexpected }).toEqual({ service, unexpected: [] });
      // @fleetpivot/* sources are inside the bundle, not loaded from the workspace.
      expect(imports.some((m) => m.startsWith('@fleetpivot/')), service).toBe(false);
    }
  });

  it('refuse a bad configuration exactly as the sources do: one fatal log line naming the setting, exit 2', async () => {
    for (const service of BUNDLED_SERVICES) {
      const bundled = startBundled(service, { KAFKA_BROKERS: '' });
      const source = startBundled(service, { KAFKA_BROKERS: '' }, 0, join(REPO_ROOT, 'services', service, 'src', 'main.ts'));
      const [b, s] = [await bundled.exited, await source.exited];
      expect({ service, bundled: b.code, source: s.code }).toEqual({ service, bundled: 2, source: 2 });
      expect(bundled.log()).toContain(`"msg":"${service} configuration invalid"`);
      const named = /invalid configuration:\\n\s*(FLEETPIVOT_\w+)/;
      expect(named.exec(bundled.log())?.[1], bundled.log()).toBeDefined();
      expect(named.exec(bundled.log())?.[1]).toBe(named.exec(source.log())?.[1]);
    }
  });

  it('migrate history and live changes end to end: capture, pivot and backfill, verified cell for cell', async () => {
    env = await backfillEnv(stack, 'bundled', { slot: false, topic: false });
    const e = env;
    await insertRows(e, 4, 12, 400); // 19,200 rows of history, ships IMO1..IMO4
    const shared = { FLEETPIVOT_TOPIC_PREFIX: e.prefix, FLEETPIVOT_SLOT_NAME: e.slot };
    const capture = startBundled('capture', { ...shared, FLEETPIVOT_SOURCE_URL: e.db.url, CAPTURE_PUBLICATION_NAME: e.slot, CAPTURE_TOPIC_PARTITIONS: '3', CAPTURE_STATUS_INTERVAL_MS: '250' }, await freePort());
    await waitReady(capture);
    const pivot = startBundled('pivot', { ...shared, FLEETPIVOT_TARGET_URL: e.db.url, PIVOT_GROUP_ID: uniqueName('bundled_pivot') }, await freePort());
    await waitReady(pivot);
    // As in the image: the services run with the allocator setting (glibc reads it from the environment at start).
    const environ = readFileSync(`/proc/${pivot.child.pid}/environ`, 'utf8').split('\0');
    for (const [name, value] of Object.entries(SERVICE_ALLOCATOR_ENV)) expect(environ).toContain(`${name}=${value}`);

    // Live changes while the backfill runs: an UPDATE and a DELETE of history it is reading, and new rows.
    const backfill = startBundled('backfill', { ...shared, FLEETPIVOT_SOURCE_URL: e.db.url, BACKFILL_CHUNK_ROWS: '2000', BACKFILL_PROGRESS: 'log' });
    await e.db.pool.query(`UPDATE tenant.tbl_data_timeseries SET double_v = -1 WHERE ship_id = 'IMO1' AND created_time < '2024-01-01 00:10:00+00'`);
    await e.db.pool.query(`DELETE FROM tenant.tbl_data_timeseries WHERE ship_id = 'IMO2' AND created_time < '2024-01-01 00:05:00+00'`);
    await insertRows(e, 2, 3, 20, 'IMO_LIVE');
    const done = await backfill.exited;
    expect(done.code, backfill.log().slice(-3000)).toBe(0);
    expect(backfill.log()).toMatch(/"msg":"backfill completed"/);

    await until('the wide tables equal the narrow table', 120_000, async () => {
      const results = await verifyAll(e.db.pool, { schema: 'tenant', table: 'tbl_data_timeseries' });
      return results.length === 6 && results.every((r) => r.mismatches === 0 && r.expectedCells === r.actualCells);
    });
    expect((await pivot.stop()).code).toBe(0);
    expect((await capture.stop()).code).toBe(0);
  });
});
