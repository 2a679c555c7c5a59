// How contended the host's CPUs are with the suite idle: PSI's "some" share (the time at least one runnable task
// waited for a CPU) over a short window taken just before a scenario, with nothing of the suite running but the
// idle stack. On these shared VMs the same code has run twice as slow in some hours as in others, and the run's
// start-of-run figure (machine.ts, a 60-s average) mixes in the suite's own previous work; this one does not.
// Recorded per scenario so that runs can be compared. Whether it predicts a slow hour is not established: on
// 2026-12-06 it read 9–19 % in slow hours, and also 3.2 % right before a run as slow as theirs.
import { readFile } from 'node:fs/promises';

/** The `some` line's cumulative stall in microseconds, from the text of /proc/pressure/cpu. */
export function pressureTotalUs(text: string): number | null {
  const m = /^some .*\btotal=(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** Stall time between two totals as a share of the wall time between them, in % (one decimal). */
export function pressureShare(beforeUs: number, afterUs: number, elapsedMs: number): number {
  if (!(elapsedMs > 0) || afterUs < beforeUs) return NaN;
  return Math.round(((afterUs - beforeUs) / (elapsedMs * 1000)) * 1000) / 10;
}

async function readTotal(): Promise<number | null> {
  try {
    return pressureTotalUs(await readFile('/proc/pressure/cpu', 'utf8'));
  } catch {
    return null; // no PSI (older kernel, other OS): the header says n/a
  }
}

/** The share over `windowMs` of doing nothing; null where the kernel has no PSI. */
export async function idleHostPressure(windowMs = 2000): Promise<number | null> {
  const before = await readTotal();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const after = await readTotal();
  if (before === null || after === null) return null;
  const share = pressureShare(before, after, performance.now() - t0);
  return Number.isNaN(share) ? null : share;
}
