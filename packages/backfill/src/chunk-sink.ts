import type { ChangeBatch } from '@fleetpivot/events';
import type { RawFields } from './binary-copy.ts';
import type { MessageSender } from './message-sender.ts';

/** Where a chunk's COPY rows go: turned into messages and handed to the sender. */
export interface ChunkSink {
  /** One COPY row (synchronous: the parser calls it per tuple); its fields are valid only during the call. */
  row(fields: RawFields): void;
  /** Sends what is ready; called after each COPY buffer, so reading waits for Kafka. */
  flush(): Promise<void>;
  /** The COPY stream ended: sends the rest. */
  finish(): Promise<void>;
  /** Narrow rows read, where a COPY tuple is not one narrow row (grouped reads); else the tuples are the rows. */
  narrowRows?(): number;
}

export interface SinkContext {
  sender: MessageSender;
  shipId: string | null;
  source: ChangeBatch['source'];
  batchMaxChanges: number;
  batchMaxBytes: number;
}
