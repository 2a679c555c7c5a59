// `npm run bench -- --profile [--channels N]`: one fleetpivot backfill (1M rows, 100 channels/ship by default) with the backfill and
// pivot services under `node --cpu-prof`, then where their CPU time went, by package and by function.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackInfo } from '@fleetpivot/stack';
import { createTestDatabase } from '@fleetpivot/testing';
import { loadDataset, shipsFor } from './data.ts';
import { fleetpivotBackfill } from './fleetpivot-backfill.ts';
import { log } from './harness.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Where a frame's code lives: a workspace package, a dependency, node internals, or the VM itself. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (pkg && !url.includes('node_modules')) return `${pkg[1]}/${pkg[2]}`;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep) return dep[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url;
}

export function summarize(profile: CpuProfile, top = 12): { totalMs: number; byModule: [string, number][]; byFunction: [string, number][] } {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = totalMs / Math.max(1, profile.samples.length);
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const n of profile.nodes) {
    const ms = (n.hitCount ?? 0) * msPerSample;
    if (!ms) continue;
    const mod = moduleOf(n.callFrame.url, n.callFrame.functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${mod}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs, byModule: sorted(byModule), byFunction: sorted(byFunction) };
}

export async function runProfile(stack: StackInfo, rows: number, dir: string, channels = 100): Promise<string> {
  const profDir = join(dir, 'profiles');
  await rm(profDir, { recursive: true, force: true });
  await mkdir(profDir, { recursive: true });
  const db = await createTestDatabase(stack, 'bench_profile');
  try {
    const data = await loadDataset(db.pool, { channels, rows, ships: shipsFor(channels, rows), seed: 6 });
    const run = fleetpivotBackfill(stack, { verify: () => true, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=1000'] });
    const result = await run(db.pool, db.url, data, 0);
    log(`profiled backfill: ${result.seconds.toFixed(1)} s = ${Math.round(rows / result.seconds).toLocaleString('en')} rows/s (slower than unprofiled)`);
  } finally {
    await db.drop();
  }
  const lines = [`# CPU profile of one fleetpivot backfill (${rows.toLocaleString('en')} rows, ${channels.toLocaleString('en')} channels/ship)`, ''];
  for (const file of (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const s = summarize(JSON.parse(await readFile(join(profDir, file), 'utf8')) as CpuProfile);
    const service = s.byModule.some(([m]) => m === 'packages/sink-pg') ? 'pivot service' : s.byModule.some(([m]) => m === 'packages/backfill') ? 'backfill service' : 'process';
    lines.push(`## ${service}: ${file} (${Math.round(s.totalMs)} ms wall)`, '', '| self time by module | ms | % |', '|---|---|---|');
    for (const [m, ms] of s.byModule) lines.push(`| ${m} | ${Math.round(ms)} | ${Math.round((ms / s.totalMs) * 100)} |`);
    lines.push('', '| self time by function | ms | % |', '|---|---|---|');
    for (const [f, ms] of s.byFunction) lines.push(`| ${f.replaceAll('|', '\\|')} | ${Math.round(ms)} | ${Math.round((ms / s.totalMs) * 100)} |`);
    lines.push('');
  }
  const out = join(dir, 'profile.md');
  await writeFile(out, lines.join('\n'));
  return out;
}
