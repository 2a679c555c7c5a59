import type { Change } from '@fleetpivot/events';
import type { ChunkSink, SinkContext } from './chunk-sink.ts';
import { decodeNarrowRow } from './narrow-row.ts';

/**
 * The cell-form encoding (`encoding: 'changes'`): every row one BACKFILL change, all columns as read, in
 * messages of at most `batchMaxChanges` changes and about `batchMaxBytes`.
 */
export function cellSink(ctx: SinkContext): ChunkSink {
  const batches = new CellBatches(ctx.batchMaxChanges, ctx.batchMaxBytes);
  const send = (changes: Change[]) => ctx.sender.send({ ship_id: ctx.shipId, source: ctx.source, changes }, changes.length);
  return {
    row(fields) {
      const row = decodeNarrowRow(fields);
      batches.add(row.change, row.bytes);
    },
    async flush() {
      for (let b = batches.next(); b; b = batches.next()) await send(b);
    },
    async finish() {
      batches.close();
      for (let b = batches.next(); b; b = batches.next()) await send(b);
    },
  };
}

/** Changes cut into batches by count and approximate bytes, as they arrive. */
export class CellBatches {
  private readonly maxChanges: number;
  private readonly maxBytes: number;
  private readonly ready: Change[][] = [];
  private current: Change[] = [];
  private bytes = 0;

  constructor(maxChanges: number, maxBytes: number) {
    this.maxChanges = maxChanges;
    this.maxBytes = maxBytes;
  }

  add(change: Change, bytes: number): void {
    this.current.push(change);
    this.bytes += bytes;
    if (this.current.length >= this.maxChanges || this.bytes >= this.maxBytes) this.close();
  }

  /** Ends the current batch (if it has changes). */
  close(): void {
    if (this.current.length === 0) return;
    this.ready.push(this.current);
    this.current = [];
    this.bytes = 0;
  }

  /** The next full batch, oldest first. */
  next(): Change[] | undefined {
    return this.ready.shift();
  }
}
