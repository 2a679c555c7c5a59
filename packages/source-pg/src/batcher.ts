import type { Change, ChangeBatch, Source } from '@fleetpivot/events';
import { approxChangeBytes } from './changes.ts';

export interface BatcherOptions {
  /** A ship's buffer is sent as one message once it holds this many changes. */
  maxChanges: number;
  /** ...or this many (estimated) bytes; Kafka messages stay well under the topic's max.message.bytes. */
  maxBytes: number;
  /** All ships' buffers of one transaction together: above it every buffer is flushed as a slice. */
  txBufferMaxBytes: number;
}

export const defaultBatcherOptions = {
  maxChanges: 5_000,
  maxBytes: 900_000,
  txBufferMaxBytes: 4 * 1024 * 1024,
} satisfies BatcherOptions;

export interface OutBatch {
  batch: ChangeBatch;
  /** Set for table-wide events (TRUNCATE) sent to every partition. */
  partition?: number;
}

interface ShipBuffer {
  changes: Change[];
  bytes: number;
}

/**
 * Groups one transaction's changes into one ChangeBatch per ship (commit order kept within a ship),
 * slicing a ship's changes into several batches when a transaction is large, so memory stays bounded
 * however big the transaction is. `emit` receives batches in the order they must reach Kafka.
 */
export class TransactionBatcher {
  private readonly options: BatcherOptions;
  private readonly emit: (out: OutBatch) => void;
  private readonly buffers = new Map<string | null, ShipBuffer>();
  private source: Source | null = null;
  private bufferedBytes = 0;

  constructor(options: BatcherOptions, emit: (out: OutBatch) => void) {
    this.options = options;
    this.emit = emit;
  }

  get inTransaction(): boolean {
    return this.source !== null;
  }

  begin(source: Source): void {
    this.buffers.clear();
    this.bufferedBytes = 0;
    this.source = source;
  }

  add(shipId: string | null, change: Change): void {
    let buf = this.buffers.get(shipId);
    if (!buf) {
      buf = { changes: [], bytes: 0 };
      this.buffers.set(shipId, buf);
    }
    const bytes = approxChangeBytes(change);
    buf.changes.push(change);
    buf.bytes += bytes;
    this.bufferedBytes += bytes;
    if (buf.changes.length >= this.options.maxChanges || buf.bytes >= this.options.maxBytes) this.flushShip(shipId, buf);
    else if (this.bufferedBytes >= this.options.txBufferMaxBytes) this.flushAll();
  }

  /** A TRUNCATE: what came before it in the transaction goes first, then one event per partition. */
  truncate(partitions: number): void {
    this.flushAll();
    const source = this.requireSource();
    for (let p = 0; p < partitions; p++) {
      this.emit({ batch: { ship_id: null, source, changes: [truncateChange()] }, partition: p });
    }
  }

  commit(): void {
    this.flushAll();
    this.source = null;
  }

  /** Drops a transaction's unsent buffers (the stream is stopping; the slot will replay it). */
  abandon(): void {
    this.buffers.clear();
    this.bufferedBytes = 0;
    this.source = null;
  }

  private flushAll(): void {
    for (const [shipId, buf] of this.buffers) this.flushShip(shipId, buf);
    this.buffers.clear();
    this.bufferedBytes = 0;
  }

  private flushShip(shipId: string | null, buf: ShipBuffer): void {
    if (buf.changes.length === 0) return;
    this.emit({ batch: { ship_id: shipId, source: this.requireSource(), changes: buf.changes } });
    this.bufferedBytes -= buf.bytes;
    buf.changes = [];
    buf.bytes = 0;
  }

  private requireSource(): Source {
    if (!this.source) throw new Error('change outside a transaction');
    return this.source;
  }
}

function truncateChange(): Change {
  return {
    op: 'TRUNCATE',
    data_channel_id: null,
    created_time_us: null,
    value_format: null,
    double_v: null,
    long_v: null,
    str_v: null,
    bool_v: null,
    old: null,
  };
}
