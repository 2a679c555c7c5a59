import { parseBackfillArgs, type BackfillOptions } from '@fleetpivot/backfill';
import type { BackfillConfig } from './config.ts';

/** Environment first (a Kubernetes Job), command-line flags over it (an operator at a shell). */
export function backfillOptionsFrom(config: BackfillConfig, argv: readonly string[]): BackfillOptions {
  const fromEnv: BackfillOptions = {
    sourceUrl: config.FLEETPIVOT_SOURCE_URL,
    targetUrl: config.FLEETPIVOT_TARGET_URL ?? config.FLEETPIVOT_SOURCE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    topicPrefix: config.FLEETPIVOT_TOPIC_PREFIX,
    sourceTable: { schema: config.FLEETPIVOT_SOURCE_SCHEMA, table: config.FLEETPIVOT_SOURCE_TABLE },
    slotName: config.FLEETPIVOT_SLOT_NAME,
    slotWaitMs: config.BACKFILL_SLOT_WAIT_MS,
    ships: config.BACKFILL_SHIPS.length > 0 ? config.BACKFILL_SHIPS : null,
    from: config.BACKFILL_FROM || null,
    to: config.BACKFILL_TO || null,
    newJob: config.BACKFILL_NEW_JOB,
    resumeJobId: config.BACKFILL_RESUME_JOB_ID || null,
    chunkRows: config.BACKFILL_CHUNK_ROWS,
    parallelism: config.BACKFILL_PARALLELISM,
    rowsPerSecond: config.BACKFILL_ROWS_PER_SECOND,
    batchMaxChanges: config.BACKFILL_BATCH_MAX_CHANGES,
    batchMaxBytes: config.BACKFILL_BATCH_MAX_BYTES,
    encoding: config.BACKFILL_ENCODING,
    planBucketSeconds: config.BACKFILL_PLAN_BUCKET_SECONDS,
    planSamplePages: config.BACKFILL_PLAN_SAMPLE_PAGES,
    groupedMinRowsPerChannel: config.BACKFILL_GROUPED_MIN_ROWS_PER_CHANNEL,
    maxChunkAttempts: config.BACKFILL_MAX_CHUNK_ATTEMPTS,
    order: config.BACKFILL_ORDER,
    progress: config.BACKFILL_PROGRESS,
    progressLogIntervalMs: config.BACKFILL_PROGRESS_LOG_INTERVAL_MS,
  };
  return { ...fromEnv, ...parseBackfillArgs(argv) };
}
