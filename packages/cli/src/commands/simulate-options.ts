import type { ParseArgsOptionsConfig } from 'node:util';
import { DEFAULT_CHUNK_ROWS, DEFAULT_INTERVAL_MS, DEFAULT_SAMPLE_MS } from '@fleetpivot/simulator';
import { UsageError } from '../command.ts';
import { dateOption, intOption, numberOption, parseOptions, rateOption } from '../args.ts';

export interface SimulateOptions {
  url: string | undefined;
  schema: string;
  table: string;
  seed: number;
  ships: number;
  channels: number;
  sampleMs: number;
  primaryKey: boolean;
  replicaIdentityFull: boolean;
  reset: boolean;
  json: boolean;
  history: { days: number | undefined; rows: number | undefined; endTime: Date | undefined; chunkRows: number } | undefined;
  live: LiveFlags | undefined;
}

export interface LiveFlags {
  intervalMs: number;
  batchMs: number | undefined;
  ticks: number | undefined;
  durationMs: number | undefined;
  startTime: Date | undefined;
  maxLateTicks: number | undefined;
  lateRate: number;
  updateRate: number;
  deleteRate: number;
  newChannelRate: number;
  newShipRate: number;
}

const str = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const spec: ParseArgsOptionsConfig = {
  url: str, schema: str, table: str, seed: str, ships: str, channels: str, 'sample-ms': str,
  'primary-key': flag, 'replica-identity-full': flag, reset: flag, json: flag,
  'history-days': str, 'history-rows': str, 'history-end': str, 'chunk-rows': str,
  live: flag, 'interval-ms': str, 'batch-ms': str, ticks: str, 'duration-ms': str, 'start-time': str, 'max-late-ticks': str,
  'late-rate': str, 'update-rate': str, 'delete-rate': str, 'new-channel-rate': str, 'new-ship-rate': str,
};
const LIVE_ONLY = ['interval-ms', 'batch-ms', 'ticks', 'duration-ms', 'start-time', 'max-late-ticks', 'late-rate', 'update-rate', 'delete-rate', 'new-channel-rate', 'new-ship-rate'];

export function parseSimulateArgs(args: readonly string[]): SimulateOptions {
  const v = parseOptions(args, spec);
  const url = typeof v.url === 'string' ? v.url : undefined;
  if (url !== undefined && !/^postgres(ql)?:\/\/.+/.test(url)) throw new UsageError(`--url must be a postgres:// URL, got ${JSON.stringify(url)}`);
  const primaryKey = v['primary-key'] !== false;
  const replicaIdentityFull = v['replica-identity-full'] === true;
  if (primaryKey && replicaIdentityFull) throw new UsageError('--replica-identity-full applies to a table without a key: add --no-primary-key');
  const days = numberOption(v, 'history-days', { min: 0 });
  const rows = intOption(v, 'history-rows', { min: 0 });
  if (days !== undefined && rows !== undefined) throw new UsageError('--history-days and --history-rows exclude each other: give one');
  const endTime = dateOption(v, 'history-end');
  const chunkRows = intOption(v, 'chunk-rows', { min: 1 }) ?? DEFAULT_CHUNK_ROWS;
  const history = days === undefined && rows === undefined ? undefined : { days, rows, endTime, chunkRows };
  const live = v.live === true;
  const stray = LIVE_ONLY.find((name) => v[name] !== undefined);
  if (!live && stray) throw new UsageError(`--${stray} needs --live`);
  const parsed: SimulateOptions = {
    url,
    schema: typeof v.schema === 'string' ? v.schema : 'tenant',
    table: typeof v.table === 'string' ? v.table : 'tbl_data_timeseries',
    seed: intOption(v, 'seed', { min: 0, max: 0xffffffff }) ?? 1,
    ships: intOption(v, 'ships', { min: 0 }) ?? 10,
    channels: intOption(v, 'channels', { min: 0, max: 20_052 }) ?? 50,
    sampleMs: intOption(v, 'sample-ms', { min: 1 }) ?? DEFAULT_SAMPLE_MS,
    primaryKey,
    replicaIdentityFull,
    reset: v.reset === true,
    json: v.json === true,
    history,
    live: live ? {
      intervalMs: intOption(v, 'interval-ms', { min: 1 }) ?? DEFAULT_INTERVAL_MS,
      batchMs: intOption(v, 'batch-ms', { min: 1 }),
      ticks: intOption(v, 'ticks', { min: 0 }),
      durationMs: intOption(v, 'duration-ms', { min: 0 }),
      startTime: dateOption(v, 'start-time'),
      maxLateTicks: intOption(v, 'max-late-ticks', { min: 1 }),
      lateRate: rateOption(v, 'late-rate') ?? 0,
      updateRate: rateOption(v, 'update-rate') ?? 0,
      deleteRate: rateOption(v, 'delete-rate') ?? 0,
      newChannelRate: rateOption(v, 'new-channel-rate') ?? 0,
      newShipRate: rateOption(v, 'new-ship-rate') ?? 0,
    } : undefined,
  };
  // Checked last so that a malformed value is reported before a missing mode.
  if (!history && !live) throw new UsageError('nothing to do: give --history-days, --history-rows and/or --live');
  return parsed;
}

