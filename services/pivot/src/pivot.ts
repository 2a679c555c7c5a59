import type pg from 'pg';
import { ChangeBatchCodec } from '@fleetpivot/events';
import type { ColumnMode, PartBudget } from '@fleetpivot/pivot';
import { isPaused, readAppliedOffset, readPauses, WideSink, type PauseState } from '@fleetpivot/sink-pg';
import type { Consumer, KafkaTransport, TopicPartition } from '@fleetpivot/transport-kafka';
import { createRegistry, silentLogger, type Logger, type Registry } from '@fleetpivot/telemetry';
import { coerceError } from '@fleetpivot/pgkit';
import { handlePartitionBatch } from './batch-handler.ts';
import { createPivotMetrics, type PivotMetrics } from './metrics.ts';
import { startTombstonePruner } from './tombstone-pruner.ts';

export interface PivotOptions {
  transport: KafkaTransport;
  /** Target database (wide tables and fleetpivot's catalog). */
  pool: pg.Pool;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  schema?: string;
  mode?: ColumnMode;
  budget?: PartBudget;
  lockTimeoutMs?: number;
  /** SQL text of prepared MERGEs kept per database connection (sink-pg prepared.ts). */
  preparedBytes?: number;
  /** Channel columns of ship layouts cached in memory (sink-pg catalog.ts). */
  catalogCacheChannels?: number;
  /** Partitions applied at once (each uses one database connection). */
  partitionsConcurrently?: number;
  /** How often the pause table is read (the rollback lever acts within this). */
  pausePollMs?: number;
  /** How often consumer lag is sampled for the lag gauge. */
  lagSampleMs?: number;
  /** How often the tombstone pruner takes a step (tombstone-pruner.ts); 0 turns it off. */
  tombstonePruneMs?: number;
  /** How long after its mark the pruner reads the topic's end offsets (tests shorten it). */
  tombstonePruneGraceMs?: number;
  sessionTimeoutMs?: number;
  /** Fetch bounds (bytes), see ConsumerOptions. */
  maxBytesPerPartition?: number;
  fetchMaxBytes?: number;
  logger?: Logger;
  registry?: Registry;
}

export const defaultPivotOptions = { partitionsConcurrently: 1, pausePollMs: 1_000, lagSampleMs: 5_000, tombstonePruneMs: 600_000, tombstonePruneGraceMs: 60_000, sessionTimeoutMs: 30_000 } satisfies Partial<PivotOptions>;

export interface RunningPivot {
  stop(): Promise<void>;
  ready(): boolean;
  metrics: PivotMetrics;
  registry: Registry;
}

/** Starts a pivot consumer in this process (the service, the demo and the bench all call this). */
export async function startPivot(options: PivotOptions): Promise<RunningPivot> {
  const o = { ...defaultPivotOptions, ...options };
  const logger = (o.logger ?? silentLogger()).child({ stage: 'pivot' });
  const registry = o.registry ?? createRegistry('pivot');
  const metrics = createPivotMetrics(registry);
  const sink = new WideSink({
    pool: o.pool,
    ...(o.schema ? { schema: o.schema } : {}),
    ...(o.mode ? { mode: o.mode } : {}),
    ...(o.budget ? { budget: o.budget } : {}),
    ...(o.lockTimeoutMs ? { lockTimeoutMs: o.lockTimeoutMs } : {}),
    ...(o.preparedBytes !== undefined ? { preparedBytes: o.preparedBytes } : {}),
    ...(o.catalogCacheChannels !== undefined ? { catalogCacheChannels: o.catalogCacheChannels } : {}),
    onDdl: (kind, n) => metrics.ddl.inc({ kind }, n),
  });
  await sink.migrate();
  let pauses: PauseState = await readPauses(o.pool);
  const paused = new Map<string, { tp: TopicPartition; shipId: string }>();
  const producer = await o.transport.producer();
  const admin = await o.transport.admin();
  // Parking must never fail for want of a topic (producers do not auto-create): a missing DLQ would block the partition.
  await admin.ensureTopic({ topic: o.deadLetterTopic, partitions: 1 });
  const consumer: Consumer = await o.transport.consumer({ groupId: o.groupId, sessionTimeoutMs: o.sessionTimeoutMs, ...(o.maxBytesPerPartition ? { maxBytesPerPartition: o.maxBytesPerPartition } : {}), ...(o.fetchMaxBytes ? { maxBytes: o.fetchMaxBytes } : {}) });
  await consumer.subscribe([o.topic], true);
  let running = true;
  let started = false;

  const refreshPauses = async () => {
    const p = await readPauses(o.pool);
    // A new or raised fence means a rollback dropped the ship's tables: forget their cached layout before the
    // ship is resumed (this state is the one that resumes it), so its next batch creates them instead of failing.
    for (const [ship, fence] of p.fences) if (pauses.fences.get(ship) !== fence) sink.forgetShip(ship);
    pauses = p;
    for (const [key, entry] of paused) {
      if (isPaused(p, entry.shipId)) continue;
      paused.delete(key);
      consumer.resume([entry.tp]);
      logger.info({ ...entry.tp, shipId: entry.shipId }, 'resumed partition');
    }
    metrics.pausedPartitions.set(paused.size);
  };
  const pollPauses = setInterval(() => {
    refreshPauses().catch((err: unknown) => logger.warn({ err: coerceError(err) }, 'read pauses failed'));
  }, o.pausePollMs);
  const sampleLag = setInterval(() => {
    admin
      .groupLag(o.groupId, o.topic)
      .then((lags) => {
        for (const l of lags) metrics.lag.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
      })
      .catch((err: unknown) => logger.debug({ err: coerceError(err) }, 'sample lag failed'));
  }, o.lagSampleMs);

  const pruner =
    o.tombstonePruneMs > 0
      ? startTombstonePruner({ pool: o.pool, admin, groupId: o.groupId, topic: o.topic, intervalMs: o.tombstonePruneMs, graceMs: o.tombstonePruneGraceMs, logger, onPruned: (n) => metrics.tombstonesPruned.inc(n) })
      : null;

  const codec = new ChangeBatchCodec();
  const applied = new Map<string, bigint>();
  const deps = {
    applied,
    groupId: o.groupId,
    deadLetterTopic: o.deadLetterTopic,
    codec,
    sink,
    consumer: () => consumer,
    producer,
    pauses: () => pauses,
    refreshPauses,
    onPausedPartition: (tp: TopicPartition, shipId: string) => {
      paused.set(`${tp.topic}/${tp.partition}`, { tp, shipId });
      metrics.pausedPartitions.set(paused.size);
      logger.info({ ...tp, shipId }, 'paused partition at a paused ship');
    },
    metrics,
    logger,
  };
  await consumer.run({
    partitionsConcurrently: o.partitionsConcurrently,
    eachBatch: async (batch, ctx) => {
      try {
        await handlePartitionBatch(deps, batch, ctx);
      } catch (err) {
        metrics.applyErrors.inc();
        logger.error({ err: coerceError(err), topic: batch.topic, partition: batch.partition }, 'apply batch failed, will be redelivered');
        await new Promise((r) => setTimeout(r, 500));
        throw err;
      }
    },
    onAssigned: async (tps) => {
      // Start where the target database says we are: anything at or below is skipped anyway, this avoids re-reading it.
      for (const tp of tps) {
        const stored = await readAppliedOffset(o.pool, { group: o.groupId, ...tp }).catch(() => -1n);
        // Another replica may have applied this partition since we last held it: forget what we knew.
        applied.delete(`${tp.topic}/${tp.partition}`);
        if (stored >= 0n) applied.set(`${tp.topic}/${tp.partition}`, stored);
        if (stored >= 0n && running) {
          consumer.seek({ ...tp, offset: (stored + 1n).toString() });
          // Also tell Kafka: when nothing follows the applied offset no batch comes to commit it, and the group
          // would show lag that never clears although everything is applied (seen after rebalances).
          await consumer.commit([{ ...tp, offset: (stored + 1n).toString() }]).catch((err: unknown) => logger.warn({ err: coerceError(err), ...tp }, 'commit of the applied offset on assignment failed'));
        }
      }
      logger.info({ partitions: tps.map((t) => t.partition) }, 'partitions assigned');
    },
  });
  started = true;
  logger.info({ topic: o.topic, groupId: o.groupId }, 'pivot consumer started');
  return {
    metrics,
    registry,
    ready: () => started && running,
    async stop() {
      if (!running) return;
      running = false;
      clearInterval(pollPauses);
      clearInterval(sampleLag);
      await pruner?.stop();
      await consumer.close().catch(() => undefined);
      await producer.close().catch(() => undefined);
      await admin.close().catch(() => undefined);
    },
  };
}
