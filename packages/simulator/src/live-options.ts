import { invalidOption } from './errors.ts';
import type { LiveOptions } from './live.ts';
import { DEFAULT_SAMPLE_MS, requireInteger, requireRate, validateFleetOptions } from './options.ts';

export const DEFAULT_INTERVAL_MS = 60_000;
export const DEFAULT_MAX_LATE_TICKS = 5;

export interface ResolvedLive {
  sampleMs: number;
  intervalMs: number;
  batchMs: number;
  ticks: number | undefined;
  durationMs: number | undefined;
  lateRate: number;
  updateRate: number;
  deleteRate: number;
  newChannelRate: number;
  newShipRate: number;
  maxLateTicks: number;
}

export function resolveLiveOptions(options: LiveOptions): ResolvedLive {
  validateFleetOptions(options);
  const intervalMs = requireInteger('intervalMs', options.intervalMs ?? DEFAULT_INTERVAL_MS, 1);
  if (options.startTime !== undefined && Number.isNaN(options.startTime.getTime())) {
    throw invalidOption('startTime', 'must be a valid date', options.startTime);
  }
  return {
    sampleMs: requireInteger('sampleMs', options.sampleMs ?? DEFAULT_SAMPLE_MS, 1),
    intervalMs,
    batchMs: requireInteger('batchMs', options.batchMs ?? intervalMs, 1),
    ticks: options.ticks === undefined ? undefined : requireInteger('ticks', options.ticks, 0),
    durationMs: options.durationMs === undefined ? undefined : requireInteger('durationMs', options.durationMs, 0),
    lateRate: requireRate('lateRate', options.lateRate ?? 0),
    updateRate: requireRate('updateRate', options.updateRate ?? 0),
    deleteRate: requireRate('deleteRate', options.deleteRate ?? 0),
    newChannelRate: requireRate('newChannelRate', options.newChannelRate ?? 0),
    newShipRate: requireRate('newShipRate', options.newShipRate ?? 0),
    maxLateTicks: requireInteger('maxLateTicks', options.maxLateTicks ?? DEFAULT_MAX_LATE_TICKS, 1),
  };
}
