import { env, parseConfig, z } from '@fleetpivot/config';

/** Every setting of the capture service; services/capture/README.md documents each (keep them in step). */
export const captureConfigSchema = z.object({
  FLEETPIVOT_SOURCE_URL: env.url(),
  KAFKA_BROKERS: env.list('127.0.0.1:19092'),
  KAFKA_CLIENT_ID: env.str('fleetpivot-capture'),
  FLEETPIVOT_TOPIC_PREFIX: env.str('fleetpivot'),
  CAPTURE_TOPIC_PARTITIONS: env.int(12, { min: 1, max: 10_000 }),
  CAPTURE_TOPIC_REPLICATION_FACTOR: env.int(1, { min: 1, max: 16 }),
  CAPTURE_TOPIC_MAX_MESSAGE_BYTES: env.int(16 * 1024 * 1024, { min: 1024 * 1024 }),
  FLEETPIVOT_SOURCE_SCHEMA: env.sqlName('tenant'),
  FLEETPIVOT_SOURCE_TABLE: env.sqlName('tbl_data_timeseries'),
  FLEETPIVOT_SLOT_NAME: env.sqlName('fleetpivot_capture'),
  CAPTURE_PUBLICATION_NAME: env.sqlName('fleetpivot_capture'),
  CAPTURE_INSERT_ONLY: env.bool(false),
  CAPTURE_BATCH_MAX_CHANGES: env.int(5_000, { min: 1 }),
  CAPTURE_BATCH_MAX_BYTES: env.int(900_000, { min: 1024 }),
  CAPTURE_TX_BUFFER_MAX_BYTES: env.int(4 * 1024 * 1024, { min: 256 * 1024 }),
  CAPTURE_INFLIGHT_MAX_BYTES: env.int(16 * 1024 * 1024, { min: 1024 * 1024 }),
  CAPTURE_REQUEST_MAX_BYTES: env.int(1024 * 1024, { min: 64 * 1024 }),
  CAPTURE_HEARTBEAT_INTERVAL_MS: env.int(10_000, { min: 0 }),
  CAPTURE_STATUS_INTERVAL_MS: env.int(5_000, { min: 100, max: 30_000 }),
  CAPTURE_STANDBY_POLL_MS: env.int(2_000, { min: 50 }),
  CAPTURE_STOP_TIMEOUT_MS: env.int(30_000, { min: 0 }),
  CAPTURE_HTTP_PORT: env.int(9464, { min: 0, max: 65_535 }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type CaptureConfig = z.output<typeof captureConfigSchema>;

export function loadCaptureConfig(source: Record<string, string | undefined>): CaptureConfig {
  return parseConfig(captureConfigSchema, source);
}
