import { DEFAULT_SOURCE_TABLE, type SourceTable } from '@fleetpivot/events';
import { BackfillError } from './errors.ts';
import { DEFAULT_PLAN_SAMPLE_PAGES } from './sampled-stats.ts';
import { parseTimeOption } from './time.ts';

export type BackfillEncoding = 'columnar' | 'changes';
export const BACKFILL_ENCODINGS: readonly BackfillEncoding[] = ['columnar', 'changes'];

export interface BackfillOptions {
  /** The database holding the narrow table and the capture's replication slot. */
  sourceUrl: string;
  /** Where fleetpivot.backfill_jobs / backfill_chunks live (the wide tables' database). */
  targetUrl: string;
  kafkaBrokers: readonly string[];
  /** Topic = changeTopic(topicPrefix, sourceTable): the capture's topic, so live and backfill share partitions. */
  topicPrefix: string;
  sourceTable?: SourceTable;
  /** The capture's replication slot; the backfill refuses to start without it. */
  slotName: string;
  /** How long to wait for the capture's slot to appear before refusing (default 0: refuse at once). */
  slotWaitMs?: number;
  /** Only these ships (the repair path with newJob); null or absent = every ship. */
  ships?: readonly string[] | null;
  /** Only rows with created_time >= from (e.g. '2024-05-01' or '2024-05-01T12:00:00Z'); UTC when no zone. */
  from?: string | null;
  /** Only rows with created_time < to. */
  to?: string | null;
  /** Start a fresh job even when an unfinished one with the same scope exists. */
  newJob?: boolean;
  /** Resume exactly this job (whatever its scope). */
  resumeJobId?: string | null;
  /** Target rows per chunk (default 100,000): the unit of resume and of parallel work. */
  chunkRows?: number;
  /** Chunks read at once (default 2), each on its own source connection. */
  parallelism?: number;
  /** Row rate limit for the whole job (default 0 = unlimited), so production writers are not starved. */
  rowsPerSecond?: number;
  /** Cells (columnar) or changes per Kafka message (default 50,000; batchMaxBytes bounds cell-form messages first). */
  batchMaxChanges?: number;
  /** Approximate bytes per Kafka message (default 900,000: under Kafka's default 1 MB message limit). */
  batchMaxBytes?: number;
  /**
   * 'columnar' (default): backfill cells as schema v2 FillBlocks (channel and time named once per message,
   * values packed), rows a block cannot carry as changes; 'changes': every row a change record, for consumers
   * that read only `changes`.
   */
  encoding?: BackfillEncoding;
  /** Time bucket of the planning histogram (default 86,400 s = one day). */
  planBucketSeconds?: number;
  /**
   * A whole-table job on a table with the (ship, channel, time) index plans from a sample of about this many
   * pages (default 2,000), its ships listed exactly through the index; 0: always the exact planning scan.
   * Tables no larger than the sample are scanned exactly (sampled-stats.ts).
   */
  planSamplePages?: number;
  /**
   * A columnar chunk is read grouped by channel (one COPY tuple per channel, its rows as arrays) when its
   * estimated rows per channel of the ship reach this (default 250; chunk-read.ts says why); Infinity: never.
   * Only where the table has the (ship, channel, time) index, which tells the ship's channels.
   */
  groupedMinRowsPerChannel?: number;
  /** Attempts per chunk within one run before it is marked failed (default 3). */
  maxChunkAttempts?: number;
  /** Default smallest-first (seed 002): small ships finish early and become usable first. */
  order?: 'smallest-first' | 'largest-first';
  /** 'auto': a redrawn display when stderr is a terminal, log lines otherwise. */
  progress?: 'auto' | 'terminal' | 'log' | 'none';
  /** Interval of progress log lines (default 5,000 ms; the terminal display redraws every 250 ms). */
  progressLogIntervalMs?: number;
}

export const defaultBackfillOptions = {
  sourceTable: DEFAULT_SOURCE_TABLE,
  slotWaitMs: 0,
  ships: null,
  from: null,
  to: null,
  newJob: false,
  resumeJobId: null,
  chunkRows: 100_000,
  parallelism: 2,
  rowsPerSecond: 0,
  batchMaxChanges: 50_000,
  batchMaxBytes: 900_000,
  encoding: 'columnar',
  planBucketSeconds: 86_400,
  planSamplePages: DEFAULT_PLAN_SAMPLE_PAGES,
  groupedMinRowsPerChannel: 250,
  maxChunkAttempts: 3,
  order: 'smallest-first',
  progress: 'auto',
  progressLogIntervalMs: 5_000,
} satisfies Partial<BackfillOptions>;

export type ResolvedOptions = Required<Omit<BackfillOptions, 'ships'>> & {
  ships: string[] | null;
  fromUs: bigint | null;
  toUs: bigint | null;
};

function positive(name: string, v: number, min = 1): void {
  if (!Number.isFinite(v) || v < min) throw new BackfillError('invalid_options', `${name} must be a number >= ${min} (got ${v})`);
}

/** Defaults applied and every option checked, so a bad one fails before any connection is made. */
export function resolveOptions(o: BackfillOptions): ResolvedOptions {
  const r = { ...defaultBackfillOptions, ...stripUndefined(o) } as Required<BackfillOptions>;
  positive('chunkRows', r.chunkRows);
  positive('parallelism', r.parallelism);
  positive('rowsPerSecond', r.rowsPerSecond, 0);
  positive('batchMaxChanges', r.batchMaxChanges);
  positive('batchMaxBytes', r.batchMaxBytes, 1024);
  positive('planBucketSeconds', r.planBucketSeconds);
  positive('planSamplePages', r.planSamplePages, 0);
  positive('maxChunkAttempts', r.maxChunkAttempts);
  positive('slotWaitMs', r.slotWaitMs, 0);
  if (!(r.groupedMinRowsPerChannel >= 0)) throw new BackfillError('invalid_options', `groupedMinRowsPerChannel must be >= 0 (got ${r.groupedMinRowsPerChannel})`);
  if (!BACKFILL_ENCODINGS.includes(r.encoding)) throw new BackfillError('invalid_options', `encoding must be columnar or changes (got ${JSON.stringify(r.encoding)})`);
  const time = (name: string, v: string | null) => {
    if (v === null || v === '') return null;
    try {
      return parseTimeOption(v);
    } catch (err) {
      throw new BackfillError('invalid_options', `${name}: ${(err as Error).message}`);
    }
  };
  const fromUs = time('from', r.from);
  const toUs = time('to', r.to);
  if (fromUs !== null && toUs !== null && fromUs >= toUs) throw new BackfillError('invalid_options', `from (${r.from}) must be before to (${r.to})`);
  const ships = r.ships === null ? null : [...new Set(r.ships)].sort();
  if (ships !== null && ships.length === 0) throw new BackfillError('invalid_options', 'ships is empty: name at least one ship, or leave it out for all ships');
  return { ...r, ships, fromUs, toUs };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
