import { env, z } from '@fleetpivot/config';
import { defaultWideSinkOptions } from '@fleetpivot/sink-pg';
import { DEFAULT_FETCH_BYTES } from '@fleetpivot/transport-kafka';

/** Environment of the pivot service, parsed once at start; every key and default is listed here. */
export const pivotConfigSchema = z.object({
  /** Target database: wide tables and fleetpivot's catalog (may differ from the source). */
  FLEETPIVOT_TARGET_URL: env.url(),
  KAFKA_BROKERS: env.list('127.0.0.1:19092'),
  /** Topic prefix: change topic is <prefix>.tenant.tbl_data_timeseries, dead letters <topic>.dlq. */
  FLEETPIVOT_TOPIC_PREFIX: env.str('fleetpivot'),
  /** The narrow table the capture reads: part of the topic name (<prefix>.<schema>.<table>). */
  FLEETPIVOT_SOURCE_SCHEMA: env.sqlName('tenant'),
  FLEETPIVOT_SOURCE_TABLE: env.sqlName('tbl_data_timeseries'),
  PIVOT_GROUP_ID: env.str('fleetpivot-pivot'),
  /** Schema of the wide tables. */
  PIVOT_SCHEMA: env.sqlName('fleetpivot_wide'),
  /** typed: Decimal→double precision, Integer→bigint, Boolean→boolean, String→text; text: all text like the seed. */
  PIVOT_COLUMN_MODE: z.enum(['typed', 'text']).default('typed'),
  PIVOT_PART_MAX_COLUMNS: env.int(1_200, { min: 1, max: 1_500 }),
  PIVOT_PART_MAX_BYTES: env.int(7_000, { min: 64, max: 7_800 }),
  PIVOT_LOCK_TIMEOUT_MS: env.int(2_000, { min: 10 }),
  PIVOT_PARTITIONS_CONCURRENTLY: env.int(1, { min: 1, max: 64 }),
  PIVOT_PAUSE_POLL_MS: env.int(1_000, { min: 50 }),
  PIVOT_LAG_SAMPLE_MS: env.int(5_000, { min: 100 }),
  /** How often the tombstone pruner takes a step (docs/backfill.md, "Pruning tombstones"); 0 turns it off. */
  PIVOT_TOMBSTONE_PRUNE_MS: env.int(600_000, { min: 0 }),
  /** How long a silent (crashed) replica keeps its partitions before the group rebalances them away. */
  PIVOT_SESSION_TIMEOUT_MS: env.int(30_000, { min: 6_000 }),
  /** Kafka fetch bounds, all partitions and one: what a replica buffers at once (docs/pivot.md, "Memory"). */
  PIVOT_FETCH_MAX_BYTES: env.int(DEFAULT_FETCH_BYTES.maxBytes, { min: 1024 }),
  PIVOT_FETCH_PARTITION_MAX_BYTES: env.int(DEFAULT_FETCH_BYTES.maxBytesPerPartition, { min: 1024 }),
  PIVOT_DB_POOL_MAX: env.int(4, { min: 2 }),
  PIVOT_PREPARED_CACHE_BYTES: env.int(2 * 1024 * 1024, { min: 0 }),
  PIVOT_CATALOG_CACHE_CHANNELS: env.int(defaultWideSinkOptions.catalogCacheChannels, { min: 1 }),
  /** Port of /metrics, /healthz, /readyz. */
  PIVOT_HTTP_PORT: env.int(9102, { min: 0, max: 65_535 }),
  LOG_LEVEL: env.str('info'),
});

export type PivotConfig = z.output<typeof pivotConfigSchema>;
