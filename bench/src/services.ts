// fleetpivot's services as child processes (as in production), with their memory sampled from /proc:
// VmRSS every `sampleMs` for the RSS-over-time plot, VmHWM (the kernel's own peak) for the figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleEntry, bundleServices } from '../../scripts/bundle-services.ts';
import type { ServicesFrom } from './harness.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const LOG_DIR = join(REPO_ROOT, '.stack', 'bench');
/** Where this bench run bundles the services (gitignored, rebuilt from the working tree by every run). */
const BUNDLE_DIR = join(REPO_ROOT, 'dist', 'bench-services');

let servicesFrom: ServicesFrom | undefined;

/** Once per bench run, before any service starts: bundles them (under a second) when run from bundles. */
export async function prepareServices(from: ServicesFrom): Promise<void> {
  if (from === 'bundle') await bundleServices(BUNDLE_DIR);
  servicesFrom = from;
}

function serviceEntry(name: ServiceName): string {
  if (!servicesFrom) throw new Error('prepareServices() must run before a service starts');
  return servicesFrom === 'bundle' ? bundleEntry(BUNDLE_DIR, name) : join(REPO_ROOT, 'services', name, 'src', 'main.ts');
}

export interface Service {
  name: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  memory: MemoryTrace;
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface MemoryTrace {
  /** [seconds since the trace started, MiB]. */
  rss: [number, number][];
  peakMiB: number;
}

import { serviceProcess, type ServiceName } from '@fleetpivot/config';

export { freePort } from '@fleetpivot/stack';
export { waitReady } from '@fleetpivot/cli';

async function readStatus(pid: number): Promise<{ rssKiB: number; hwmKiB: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  env: Record<string, string>;
  args?: string[];
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=...'] for the profile run. */
  nodeFlags?: string[];
  sampleMs?: number;
  /** Time zero of the RSS series (so several services share one x axis). */
  t0?: bigint;
}

export function startService(name: ServiceName, o: StartOptions): Service {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const launch = serviceProcess(name, { PATH: process.env.PATH ?? '', ...o.env });
  const child = spawn(process.execPath, [...launch.nodeArgs, ...(o.nodeFlags ?? []), serviceEntry(name), ...(o.args ?? [])], {
    env: launch.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const memory: MemoryTrace = { rss: [], peakMiB: 0 };
  const t0 = o.t0 ?? process.hrtime.bigint();
  const sample = async (): Promise<void> => {
    if (!child.pid || child.exitCode !== null) return;
    const s = await readStatus(child.pid);
    if (!s) return;
    const mib = s.rssKiB / 1024;
    memory.rss.push([Math.round(Number(process.hrtime.bigint() - t0) / 1e8) / 10, Math.round(mib * 10) / 10]);
    memory.peakMiB = Math.max(memory.peakMiB, mib, s.hwmKiB / 1024);
  };
  const timer = setInterval(() => void sample(), o.sampleMs ?? 500);
  void exited.then(() => clearInterval(timer));
  return {
    name,
    port: Number(o.env.PIVOT_HTTP_PORT ?? o.env.CAPTURE_HTTP_PORT ?? o.env.BACKFILL_HTTP_PORT ?? 0),
    child,
    logFile,
    exited,
    memory,
    async stop(timeoutMs = 30_000) {
      await sample();
      clearInterval(timer);
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}
