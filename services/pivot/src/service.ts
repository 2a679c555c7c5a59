import { parseConfig } from '@fleetpivot/config';
import { changeTopic, deadLetterTopic } from '@fleetpivot/events';
import { createPool } from '@fleetpivot/pgkit';
import { configOrExit, createLogger, createRegistry, startHttpServer } from '@fleetpivot/telemetry';
import { createKafkajsTransport } from '@fleetpivot/transport-kafka';
import { pivotConfigSchema } from './config.ts';
import { startPivot, type RunningPivot } from './pivot.ts';

// Wiring only: config → pool, transport, pivot, HTTP probes, signals.
const config = configOrExit('pivot', () => parseConfig(pivotConfigSchema, process.env));
const logger = createLogger({ service: 'pivot', level: config.LOG_LEVEL });
const source = { schema: config.FLEETPIVOT_SOURCE_SCHEMA, table: config.FLEETPIVOT_SOURCE_TABLE };
const registry = createRegistry('pivot');
const pool = createPool({ connectionString: config.FLEETPIVOT_TARGET_URL, applicationName: 'fleetpivot-pivot', max: Math.max(config.PIVOT_DB_POOL_MAX, config.PIVOT_PARTITIONS_CONCURRENTLY + 2), onError: (err) => logger.warn({ err }, 'database connection lost') });
const transport = createKafkajsTransport({ brokers: config.KAFKA_BROKERS, clientId: 'fleetpivot-pivot', logger });
// Probes answer from the start; readiness waits for the consumer.
const running: { pivot?: RunningPivot } = {};
const server = await startHttpServer({
  port: config.PIVOT_HTTP_PORT,
  registry,
  health: () => ({ ok: true }),
  ready: () => ({ ok: running.pivot?.ready() ?? false }),
});
running.pivot = await startPivot({
  transport,
  pool,
  topic: changeTopic(config.FLEETPIVOT_TOPIC_PREFIX, source),
  deadLetterTopic: deadLetterTopic(config.FLEETPIVOT_TOPIC_PREFIX, source),
  groupId: config.PIVOT_GROUP_ID,
  schema: config.PIVOT_SCHEMA,
  mode: config.PIVOT_COLUMN_MODE,
  budget: { maxColumns: config.PIVOT_PART_MAX_COLUMNS, maxBytes: config.PIVOT_PART_MAX_BYTES },
  lockTimeoutMs: config.PIVOT_LOCK_TIMEOUT_MS,
  preparedBytes: config.PIVOT_PREPARED_CACHE_BYTES,
  catalogCacheChannels: config.PIVOT_CATALOG_CACHE_CHANNELS,
  partitionsConcurrently: config.PIVOT_PARTITIONS_CONCURRENTLY,
  pausePollMs: config.PIVOT_PAUSE_POLL_MS,
  lagSampleMs: config.PIVOT_LAG_SAMPLE_MS,
  tombstonePruneMs: config.PIVOT_TOMBSTONE_PRUNE_MS,
  sessionTimeoutMs: config.PIVOT_SESSION_TIMEOUT_MS,
  fetchMaxBytes: config.PIVOT_FETCH_MAX_BYTES,
  maxBytesPerPartition: config.PIVOT_FETCH_PARTITION_MAX_BYTES,
  logger,
  registry,
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'stopping');
  await running.pivot?.stop();
  await pool.end();
  server.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
