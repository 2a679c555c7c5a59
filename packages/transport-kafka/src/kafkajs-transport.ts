import { Kafka } from 'kafkajs';
import type { Logger } from '@fleetpivot/telemetry';
import { installKafkajsEncoderRope } from './kafkajs-encoder-rope.ts';
import { installKafkajsRecordBatchRope } from './kafkajs-record-batch-rope.ts';
import { kafkajsLogCreator } from './kafkajs-logger.ts';
import { createKafkajsProducer } from './kafkajs-producer.ts';
import { createKafkajsConsumer } from './kafkajs-consumer.ts';
import { createKafkajsAdmin } from './kafkajs-admin.ts';
import type { KafkaTransport } from './types.ts';

export interface KafkajsTransportOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  connectionTimeoutMs?: number;
}

/** The one place kafkajs is constructed; everything else sees only KafkaTransport. */
export function createKafkajsTransport(options: KafkajsTransportOptions): KafkaTransport {
  installKafkajsEncoderRope();
  if (!installKafkajsRecordBatchRope()) options.logger.debug('kafkajs produced before its RecordBatch could be replaced: it keeps its own (same bytes, two more copies per batch)');
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    logCreator: kafkajsLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
  return {
    producer: (o) => createKafkajsProducer(kafka, o),
    consumer: (o) => createKafkajsConsumer(kafka, o),
    admin: () => createKafkajsAdmin(kafka),
  };
}
