import type { Kafka } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { KafkaTransportError } from './errors.ts';
import type { OutgoingMessage, Producer, ProducerOptions } from './types.ts';

const DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export async function createKafkajsProducer(kafka: Kafka, options: ProducerOptions = {}): Promise<Producer> {
  // idempotent + acks=all: a retried request never duplicates or reorders within a partition, and a
  // resolved send means every in-sync replica has the messages.
  // The partitioner is named explicitly: capture and backfill must map a ship key to the same partition
  // (murmur2, as Java clients do), or live and backfill batches of one ship would not be serialised.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const maxBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  return {
    async send(topic: string, messages: readonly OutgoingMessage[]) {
      for (const chunk of chunksByBytes(messages, maxBytes)) {
        try {
          await producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.None,
            messages: chunk.map((m) => ({
              key: m.key,
              value: m.value,
              ...(m.headers ? { headers: m.headers } : {}),
              ...(m.partition === undefined ? {} : { partition: m.partition }),
            })),
          });
        } catch (err) {
          throw new KafkaTransportError('produce_failed', `produce ${chunk.length} messages to ${topic}`, { cause: err });
        }
      }
    },
    async close() {
      await producer.disconnect();
    },
  };
}

/** Splits messages into requests of at most `maxBytes` (one oversized message travels alone). */
export function chunksByBytes(messages: readonly OutgoingMessage[], maxBytes: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.value.length + (m.key?.length ?? 0) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
