export type * from './types.ts';
export { KafkaTransportError } from './errors.ts';
export type { KafkaTransportErrorCode } from './errors.ts';
export { createKafkajsTransport } from './kafkajs-transport.ts';
export type { KafkajsTransportOptions } from './kafkajs-transport.ts';
export { chunksByBytes } from './kafkajs-producer.ts';
export { DEFAULT_FETCH_BYTES } from './kafkajs-consumer.ts';
