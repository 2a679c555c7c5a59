import { defaultBackfillOptions as d } from '@fleetpivot/backfill';
import { env, parseConfig, z } from '@fleetpivot/config';

/**
 * Every setting of the backfill job; docs/backfill.md documents each (keep them in step). The job's defaults are the
 * library's (`defaultBackfillOptions`), so the service, the CLI and the library cannot drift apart.
 */
export const backfillConfigSchema = z.object({
  FLEETPIVOT_SOURCE_URL: env.url(),
  /** Where fleetpivot.backfill_jobs lives; defaults to the source database. */
  FLEETPIVOT_TARGET_URL: env.url().optional(),
  KAFKA_BROKERS: env.list('127.0.0.1:19092'),
  /** Must equal the capture's FLEETPIVOT_TOPIC_PREFIX / table / slot: the backfill joins the capture's topic. */
  FLEETPIVOT_TOPIC_PREFIX: env.str('fleetpivot'),
  FLEETPIVOT_SOURCE_SCHEMA: env.sqlName('tenant'),
  FLEETPIVOT_SOURCE_TABLE: env.sqlName('tbl_data_timeseries'),
  FLEETPIVOT_SLOT_NAME: env.sqlName('fleetpivot_capture'),
  /** A Job started with the capture waits this long for its slot before exiting 1. */
  BACKFILL_SLOT_WAIT_MS: env.int(60_000, { min: 0 }),
  /** Comma-separated ship ids; empty = every ship. */
  BACKFILL_SHIPS: env.list(''),
  /** created_time >= FROM / < TO, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; empty = unbounded. */
  BACKFILL_FROM: z.string().default(''),
  BACKFILL_TO: z.string().default(''),
  BACKFILL_NEW_JOB: env.bool(false),
  /** Resume this job id; empty = the latest unfinished job with the same scope, else a new one. */
  BACKFILL_RESUME_JOB_ID: z.string().regex(/^\d*$/, 'must be a job id').default(''),
  BACKFILL_CHUNK_ROWS: env.int(d.chunkRows, { min: 1 }),
  BACKFILL_PARALLELISM: env.int(d.parallelism, { min: 1, max: 64 }),
  /** Rows per second for the whole job; 0 = unlimited. */
  BACKFILL_ROWS_PER_SECOND: env.int(d.rowsPerSecond, { min: 0 }),
  BACKFILL_BATCH_MAX_CHANGES: env.int(d.batchMaxChanges, { min: 1 }),
  BACKFILL_BATCH_MAX_BYTES: env.int(d.batchMaxBytes, { min: 1024 }),
  /** columnar: backfill cells as column blocks (schema v2); changes: a change record per row, for consumers reading only `changes`. */
  BACKFILL_ENCODING: z.enum(['columnar', 'changes']).default(d.encoding),
  BACKFILL_PLAN_BUCKET_SECONDS: env.int(d.planBucketSeconds, { min: 1 }),
  /** Plan a whole-table job from a sample of this many pages where the (ship, channel, time) index lists the ships; 0: exact scan. */
  BACKFILL_PLAN_SAMPLE_PAGES: env.int(d.planSamplePages, { min: 0 }),
  /** Read a chunk grouped by channel from this many estimated rows per channel (needs the (ship, channel, time) index). */
  BACKFILL_GROUPED_MIN_ROWS_PER_CHANNEL: env.int(d.groupedMinRowsPerChannel, { min: 0 }),
  BACKFILL_MAX_CHUNK_ATTEMPTS: env.int(d.maxChunkAttempts, { min: 1 }),
  BACKFILL_ORDER: z.enum(['smallest-first', 'largest-first']).default(d.order),
  BACKFILL_PROGRESS: z.enum(['auto', 'terminal', 'log', 'none']).default(d.progress),
  BACKFILL_PROGRESS_LOG_INTERVAL_MS: env.int(d.progressLogIntervalMs, { min: 100 }),
  /** /metrics, /healthz, /readyz while the job runs; 0 = any free port. */
  BACKFILL_HTTP_PORT: env.int(9103, { min: 0, max: 65_535 }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type BackfillConfig = z.output<typeof backfillConfigSchema>;

export function loadBackfillConfig(source: Record<string, string | undefined>): BackfillConfig {
  return parseConfig(backfillConfigSchema, source);
}
