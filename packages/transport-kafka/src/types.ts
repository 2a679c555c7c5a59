/**
 * fleetpivot's own Kafka interfaces. Services and packages depend on these, never on a client library,
 * so the client (kafkajs today, in maintenance mode) can be replaced behind one adapter.
 */

export type Headers = Record<string, string | Buffer>;

export interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer;
  headers?: Headers;
  /** Set only for messages that must reach a specific partition (e.g. a table-wide event sent to all). */
  partition?: number;
}

export interface Producer {
  /**
   * Resolves only when the broker has durably acknowledged every message (acks=all, idempotent):
   * callers use the resolution as their permission to checkpoint. Once it settles the transport holds no
   * reference to the messages' buffers: a caller may reuse them (the backfill's encode buffers do).
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are int64; kept as decimal strings to stay exact. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | undefined>;
  timestampMs: number;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: readonly IncomingMessage[];
  /** The partition's log end offset when fetched (for lag). */
  highWatermark: string;
}

export interface BatchContext {
  /** Keeps group membership alive during long applies. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was revoked: stop work, do not commit. */
  isActive(): boolean;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read (last processed + 1), Kafka's commit convention. */
  offset: string;
}

export interface ConsumerRunOptions {
  /**
   * Handles one partition's batch; resolves when its effect is durable. Throwing re-delivers the batch.
   * After it resolves, fetching continues after the batch's last message, unless it called seek() for that
   * partition (then from the sought offset). Committing is separate and explicit: commit().
   */
  eachBatch(batch: PartitionBatch, context: BatchContext): Promise<void>;
  /** How many partitions' batches are processed at once. */
  partitionsConcurrently?: number;
  /** Called after partitions are assigned (before their first batch), e.g. to seek to stored offsets. */
  onAssigned?(partitions: readonly TopicPartition[]): Promise<void> | void;
}

export interface Consumer {
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  seek(offset: TopicPartitionOffset): void;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic-level config, e.g. { 'max.message.bytes': '16777216' }. */
  config?: Record<string, string>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  logEnd: string;
  lag: number;
}

export interface Admin {
  /** Creates the topic if absent; an existing topic is left as it is (partitions are never reduced). */
  ensureTopic(spec: TopicSpec): Promise<void>;
  listTopics(): Promise<string[]>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** Log end offsets per partition. */
  logEndOffsets(topic: string): Promise<Map<number, string>>;
  /** Committed group offsets vs log end, per partition. */
  groupLag(groupId: string, topic: string): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  /** Upper bound on one request's size; messages are split across requests above it. */
  maxRequestBytes?: number;
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  /** Upper bound of one fetch response's record data from one partition (at least one record batch is returned). */
  maxBytesPerPartition?: number;
  /** Upper bound of one fetch response's record data over all partitions: the consumer's buffered bytes. */
  maxBytes?: number;
  /** How long the broker may wait to fill a fetch; small values lower end-to-end latency. */
  maxWaitMs?: number;
  /**
   * How often the consumer heartbeats (at most a third of the session timeout). A member learns of a rebalance from
   * a heartbeat's answer, so this is how long a replica joining or leaving holds up the others' partitions.
   */
  heartbeatIntervalMs?: number;
}

export interface KafkaTransport {
  producer(options?: ProducerOptions): Promise<Producer>;
  consumer(options: ConsumerOptions): Promise<Consumer>;
  admin(): Promise<Admin>;
}
