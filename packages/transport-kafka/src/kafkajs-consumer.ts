import type { Kafka, KafkaMessage } from 'kafkajs';
import { KafkaTransportError } from './errors.ts';
import type { Consumer, ConsumerOptions, ConsumerRunOptions, IncomingMessage, TopicPartition, TopicPartitionOffset } from './types.ts';

function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingMessage {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    headers[k] = v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers, timestampMs: Number(m.timestamp) };
}

/** Fetch bounds when the caller gives none: kafkajs's own 10 MiB in total, 4 MiB per partition (docs/pivot.md, "Memory"). */
export const DEFAULT_FETCH_BYTES = { maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 4 * 1024 * 1024 } as const;

/**
 * kafkajs heartbeats every 3 s by default, and a member learns of a rebalance only from a heartbeat's answer: a
 * second pivot replica starting made the first one's partitions wait ~3 s (the bench's replica scenario).
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 500;

export async function createKafkajsConsumer(kafka: Kafka, options: ConsumerOptions): Promise<Consumer> {
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval: Math.min(options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS, Math.floor(sessionTimeout / 3)),
    maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_FETCH_BYTES.maxBytesPerPartition,
    maxBytes: options.maxBytes ?? DEFAULT_FETCH_BYTES.maxBytes,
    maxWaitTimeInMs: options.maxWaitMs ?? 100,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  let stopping = false;
  const seeked = new Set<string>();
  return {
    async subscribe(topics, fromBeginning) {
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning });
    },
    async run(run: ConsumerRunOptions) {
      if (run.onAssigned) {
        const onAssigned = run.onAssigned;
        consumer.on(consumer.events.GROUP_JOIN, (e) => {
          const assigned: TopicPartition[] = [];
          for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
            for (const partition of partitions) assigned.push({ topic, partition });
          }
          void onAssigned(assigned);
        });
      }
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: run.partitionsConcurrently ?? 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (batch.messages.length === 0) return;
          const key = `${batch.topic}:${batch.partition}`;
          seeked.delete(key);
          await run.eachBatch(
            {
              topic: batch.topic,
              partition: batch.partition,
              messages: batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m)),
              highWatermark: batch.highWatermark,
            },
            { heartbeat, isActive: () => !stopping && isRunning() && !isStale() },
          );
          // Handled: fetching continues after the batch, unless the handler chose the position with seek().
          if (!seeked.has(key) && isRunning() && !isStale()) resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
        },
      });
    },
    async commit(offsets: readonly TopicPartitionOffset[]) {
      try {
        await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
      } catch (err) {
        throw new KafkaTransportError('commit_failed', `commit offsets for ${offsets.length} partitions`, { cause: err });
      }
    },
    seek(o) {
      seeked.add(`${o.topic}:${o.partition}`);
      consumer.seek({ topic: o.topic, partition: o.partition, offset: o.offset });
    },
    pause(partitions) {
      consumer.pause(groupByTopic(partitions));
    },
    resume(partitions) {
      consumer.resume(groupByTopic(partitions));
    },
    async close() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}

function groupByTopic(partitions: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps }));
}
