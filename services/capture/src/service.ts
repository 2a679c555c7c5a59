import { startCapture } from '@fleetpivot/source-pg';
import type { CaptureHandle } from '@fleetpivot/source-pg';
import { configOrExit, createLogger, createRegistry, startHttpServer } from '@fleetpivot/telemetry';
import { createKafkajsTransport } from '@fleetpivot/transport-kafka';
import { loadCaptureConfig } from './config.ts';

// The one wiring point of the capture service: config, stages, HTTP probes, signals.
const config = configOrExit('capture', () => loadCaptureConfig(process.env));
const logger = createLogger({ service: 'capture', level: config.LOG_LEVEL });
const registry = createRegistry('capture');
let handle: CaptureHandle | undefined;
let draining = false;

const server = await startHttpServer({
  port: config.CAPTURE_HTTP_PORT,
  registry,
  health: () => ({ ok: handle?.state() !== 'failed' }),
  // Ready = the active reader; a standby answers 503 so dashboards and probes tell the two apart.
  ready: () => ({ ok: !draining && handle?.state() === 'active', detail: { state: handle?.state() ?? 'starting', confirmedLsn: handle?.confirmedLsn() } }),
});

const address = server.address();
logger.info({ port: typeof address === 'object' && address ? address.port : config.CAPTURE_HTTP_PORT }, 'http server listening');

async function shutdown(signal: string): Promise<void> {
  if (draining) return;
  draining = true;
  logger.info({ signal }, 'stopping capture');
  await handle?.stop();
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  handle = await startCapture(
    {
      sourceUrl: config.FLEETPIVOT_SOURCE_URL,
      table: { schema: config.FLEETPIVOT_SOURCE_SCHEMA, table: config.FLEETPIVOT_SOURCE_TABLE },
      slotName: config.FLEETPIVOT_SLOT_NAME,
      publicationName: config.CAPTURE_PUBLICATION_NAME,
      topicPrefix: config.FLEETPIVOT_TOPIC_PREFIX,
      topicPartitions: config.CAPTURE_TOPIC_PARTITIONS,
      topicReplicationFactor: config.CAPTURE_TOPIC_REPLICATION_FACTOR,
      topicMaxMessageBytes: config.CAPTURE_TOPIC_MAX_MESSAGE_BYTES,
      insertOnly: config.CAPTURE_INSERT_ONLY,
      batchMaxChanges: config.CAPTURE_BATCH_MAX_CHANGES,
      batchMaxBytes: config.CAPTURE_BATCH_MAX_BYTES,
      txBufferMaxBytes: config.CAPTURE_TX_BUFFER_MAX_BYTES,
      inflightMaxBytes: config.CAPTURE_INFLIGHT_MAX_BYTES,
      requestMaxBytes: config.CAPTURE_REQUEST_MAX_BYTES,
      heartbeatIntervalMs: config.CAPTURE_HEARTBEAT_INTERVAL_MS,
      statusIntervalMs: config.CAPTURE_STATUS_INTERVAL_MS,
      standbyPollMs: config.CAPTURE_STANDBY_POLL_MS,
      stopTimeoutMs: config.CAPTURE_STOP_TIMEOUT_MS,
    },
    { transport: createKafkajsTransport({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, logger }), logger, registry },
  );
  if (draining) await handle.stop();
  await handle.done;
  logger.info({ confirmedLsn: handle.confirmedLsn() }, 'capture stopped');
  server.close();
  process.exit(0);
} catch (err) {
  logger.fatal({ err }, 'capture exiting on error');
  server.close();
  process.exit(1);
}
