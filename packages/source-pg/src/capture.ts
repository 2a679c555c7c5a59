import { changeTopic, DEFAULT_SOURCE_TABLE } from '@fleetpivot/events';
import type { SourceTable } from '@fleetpivot/events';
import { createPool } from '@fleetpivot/pgkit';
import type { KafkaTransport, Producer } from '@fleetpivot/transport-kafka';
import type { Logger, Registry } from '@fleetpivot/telemetry';
import { defaultBatcherOptions } from './batcher.ts';
import { formatLsn } from './lsn.ts';
import { createCaptureMetrics } from './metrics.ts';
import { preflight } from './preflight.ts';
import { CaptureRun } from './capture-run.ts';
import type { ResolvedCaptureOptions } from './capture-run.ts';

export interface CaptureOptions {
  sourceUrl: string;
  table?: SourceTable;
  slotName: string;
  publicationName: string;
  topicPrefix: string;
  topicPartitions?: number;
  topicReplicationFactor?: number;
  topicMaxMessageBytes?: number;
  insertOnly?: boolean;
  batchMaxChanges?: number;
  batchMaxBytes?: number;
  txBufferMaxBytes?: number;
  /** Outstanding Kafka bytes above which reading from the slot pauses. */
  inflightMaxBytes?: number;
  requestMaxBytes?: number;
  /** A heartbeat message is written when no transaction committed for this long (0 = never). */
  heartbeatIntervalMs?: number;
  /** Standby status updates, slot-lag refresh and lock probe cadence. */
  statusIntervalMs?: number;
  standbyPollMs?: number;
  /** How long a graceful stop waits for in-flight sends. */
  stopTimeoutMs?: number;
}

export const defaultCaptureOptions = {
  table: DEFAULT_SOURCE_TABLE,
  topicPartitions: 12,
  topicReplicationFactor: 1,
  topicMaxMessageBytes: 16 * 1024 * 1024,
  insertOnly: false as boolean,
  batchMaxChanges: defaultBatcherOptions.maxChanges,
  batchMaxBytes: defaultBatcherOptions.maxBytes,
  txBufferMaxBytes: defaultBatcherOptions.txBufferMaxBytes,
  inflightMaxBytes: 16 * 1024 * 1024,
  requestMaxBytes: 1024 * 1024,
  heartbeatIntervalMs: 10_000,
  statusIntervalMs: 5_000,
  standbyPollMs: 2_000,
  stopTimeoutMs: 30_000,
} satisfies Partial<CaptureOptions>;

export interface CaptureDeps {
  transport: KafkaTransport;
  logger: Logger;
  registry: Registry;
}

export type CaptureState = 'standby' | 'preparing' | 'active' | 'stopping' | 'stopped' | 'failed';

export interface CaptureHandle {
  readonly topic: string;
  state(): CaptureState;
  /** The position last confirmed to PostgreSQL ("0/0" before any). */
  confirmedLsn(): string;
  /** Graceful: stop reading, wait for in-flight sends, confirm, release the slot and the lock. */
  stop(): Promise<void>;
  /** Settles when capture ends: resolves after stop(), rejects when it failed (the process should exit non-zero). */
  readonly done: Promise<void>;
}

/**
 * Starts capture: preflight (fails fast with remedies), topic, then, in the background, wait for the
 * leader lock (standby), create the publication/slot if needed and stream into Kafka until stopped.
 */
export async function startCapture(input: CaptureOptions, deps: CaptureDeps): Promise<CaptureHandle> {
  // Explicit undefined (an unset optional) keeps the default.
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const o: ResolvedCaptureOptions = { ...defaultCaptureOptions, ...defined } as ResolvedCaptureOptions;
  const logger = deps.logger.child({ stage: 'capture', slot: o.slotName });
  const metrics = createCaptureMetrics(deps.registry);
  const pool = createPool({ connectionString: o.sourceUrl, applicationName: 'fleetpivot-capture', max: 2, onError: (err) => logger.warn({ err }, 'source connection lost') });
  const setupOptions = { table: o.table, slotName: o.slotName, publicationName: o.publicationName, insertOnly: o.insertOnly };
  const topic = changeTopic(o.topicPrefix, o.table);
  let producer: Producer | undefined;
  let partitions: number;
  try {
    const client = await pool.connect();
    try {
      await preflight(client, setupOptions);
    } finally {
      client.release();
    }
    const admin = await deps.transport.admin();
    try {
      await admin.ensureTopic({ topic, partitions: o.topicPartitions, replicationFactor: o.topicReplicationFactor, config: { 'max.message.bytes': String(o.topicMaxMessageBytes) } });
      partitions = await admin.partitionCount(topic);
    } finally {
      await admin.close();
    }
    producer = await deps.transport.producer({ maxRequestBytes: o.requestMaxBytes });
  } catch (err) {
    await producer?.close().catch(() => undefined);
    await pool.end();
    throw err;
  }
  const run = new CaptureRun(o, { ...deps, logger }, metrics, pool, producer, topic, partitions);
  const done = run.run();
  done.catch(() => undefined); // observed through the handle
  return {
    topic,
    state: () => run.state,
    confirmedLsn: () => formatLsn(run.confirmed),
    stop: () => run.stop(),
    done,
  };
}
