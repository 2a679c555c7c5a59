import type { Logger } from '@fleetpivot/telemetry';
import type { ProgressSnapshot, ShipProgress } from './progress.ts';

export interface ProgressDisplay {
  update(s: ProgressSnapshot): void;
  /** Final state; the display stops drawing. */
  done(s: ProgressSnapshot): void;
}

const fmt = new Intl.NumberFormat('en-US');

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function bar(ratio: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, ratio)) * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

function shipLine(p: ShipProgress): string {
  const ratio = p.chunks > 0 && p.chunksDone === p.chunks ? 1 : p.rowsEstimate > 0 ? Math.min(1, p.rowsDone / p.rowsEstimate) : 0;
  const state = p.chunksDone === p.chunks ? 'done' : p.running > 0 ? 'running' : 'waiting';
  const name = (p.shipId ?? '(NULL ship_id)').slice(0, 24).padEnd(24);
  return `  ${name} ${bar(ratio, 20)} ${(ratio * 100).toFixed(0).padStart(3)}%  ${fmt.format(p.rowsDone).padStart(11)} rows  ${p.chunksDone}/${p.chunks} chunks  ${state}`;
}

function headline(s: ProgressSnapshot): string {
  const ratio = s.rowsTotal > 0 ? s.rowsDone / s.rowsTotal : s.chunks === s.chunksDone ? 1 : 0;
  return `backfill job ${s.jobId}  ${bar(ratio, 30)} ${(Math.min(1, ratio) * 100).toFixed(1)}%  ${fmt.format(s.rowsDone)}/${fmt.format(s.rowsTotal)} rows  ${fmt.format(Math.round(s.rowsPerSecond))} rows/s  ETA ${duration(s.etaSeconds)}  chunks ${s.chunksDone}/${s.chunks}`;
}

/**
 * Redraws in place on a terminal: the job line, then the running ships and the next waiting ones
 * (finished ships collapse into a count so a fleet of hundreds still fits a screen).
 */
export function terminalDisplay(out: NodeJS.WriteStream, maxShips = 12): ProgressDisplay {
  let drawn = 0;
  const draw = (s: ProgressSnapshot) => {
    const finished = s.ships.filter((p) => p.chunksDone === p.chunks);
    const active = s.ships.filter((p) => p.chunksDone < p.chunks).sort((a, b) => b.running - a.running);
    const lines = [headline(s), `  ${finished.length} ship(s) done, ${active.length} to go`, ...active.slice(0, maxShips).map(shipLine)];
    if (active.length > maxShips) lines.push(`  … ${active.length - maxShips} more`);
    const width = out.columns ?? 120;
    let text = drawn > 0 ? `\x1b[${drawn}F` : '';
    for (const l of lines) text += `\x1b[2K${l.slice(0, width - 1)}\n`;
    for (let i = lines.length; i < drawn; i++) text += '\x1b[2K\n';
    out.write(text);
    drawn = Math.max(drawn, lines.length);
  };
  return { update: draw, done: draw };
}

/** Not a terminal (a Kubernetes Job's log): one structured line per interval, fixed message, fields vary. */
export function logDisplay(logger: Logger): ProgressDisplay {
  const fields = (s: ProgressSnapshot) => ({
    job: s.jobId,
    rowsDone: s.rowsDone,
    rowsTotal: s.rowsTotal,
    rowsPerSecond: Math.round(s.rowsPerSecond),
    etaSeconds: s.etaSeconds === null ? null : Math.round(s.etaSeconds),
    chunksDone: s.chunksDone,
    chunks: s.chunks,
    shipsDone: s.ships.filter((p) => p.chunksDone === p.chunks).length,
    ships: s.ships.length,
    running: s.ships.filter((p) => p.running > 0).map((p) => p.shipId),
  });
  return {
    update: (s) => logger.info(fields(s), 'backfill progress'),
    done: (s) => logger.info(fields(s), 'backfill progress final'),
  };
}

export const noDisplay: ProgressDisplay = { update: () => undefined, done: () => undefined };
