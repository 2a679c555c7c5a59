import { invalidOption } from './errors.ts';
import type { FleetOptions } from './fleet-state.ts';
import type { HistoryOptions } from './history.ts';

export const DEFAULT_SAMPLE_MS = 15_000;
export const DEFAULT_CHUNK_ROWS = 200_000;

export function requireInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(name, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function requireRate(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw invalidOption(name, 'must be a number from 0 to 1', value);
  }
  return value;
}

export function validateFleetOptions(options: FleetOptions): void {
  requireInteger('seed', options.seed, 0, 0xffffffff);
  requireInteger('ships', options.ships, 0);
  requireInteger('channels', options.channels, 0, 20_052);
  const mix = options.formatMix;
  if (mix && !(Object.values(mix).every((w) => Number.isFinite(w) && w >= 0) && Object.values(mix).some((w) => w > 0))) {
    throw invalidOption('formatMix', 'must have non-negative weights, at least one positive', mix);
  }
}

export interface ResolvedHistory {
  sampleMs: number;
  chunkRows: number;
  firstStep: number;
  endStep: number;
  /** Rows of the full grid skipped at its start so that exactly `rows` remain. */
  skip: number;
  total: number;
}

export function resolveHistoryOptions(options: HistoryOptions): ResolvedHistory {
  validateFleetOptions(options);
  const sampleMs = requireInteger('sampleMs', options.sampleMs ?? DEFAULT_SAMPLE_MS, 1);
  const chunkRows = requireInteger('chunkRows', options.chunkRows ?? DEFAULT_CHUNK_ROWS, 1);
  const endTime = options.endTime ?? new Date();
  if (!(endTime instanceof Date) || Number.isNaN(endTime.getTime())) throw invalidOption('endTime', 'must be a valid date', options.endTime);
  if ((options.days === undefined) === (options.rows === undefined)) {
    throw invalidOption('days', 'or rows must be given (exactly one of them)', { days: options.days, rows: options.rows });
  }
  const perStep = options.ships * options.channels;
  const endStep = Math.ceil(endTime.getTime() / sampleMs);
  let steps: number;
  let skip = 0;
  if (options.rows !== undefined) {
    const rows = requireInteger('rows', options.rows, 0);
    if (rows > 0 && perStep === 0) throw invalidOption('rows', 'needs at least one ship and one channel', rows);
    steps = perStep === 0 ? 0 : Math.ceil(rows / perStep);
    skip = steps * perStep - rows;
  } else {
    const days = options.days as number;
    if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) throw invalidOption('days', 'must be a number >= 0', days);
    steps = Math.floor((days * 86_400_000) / sampleMs);
  }
  return { sampleMs, chunkRows, firstStep: endStep - steps, endStep, skip, total: steps * perStep };
}
