import { SCHEMA_VERSION_HEADER, shipKey, type ChangeBatch, type ChangeBatchCodec } from '@fleetpivot/events';
import { BackfillError } from './errors.ts';
import type { ChunkDeps, ChunkRun } from './produce-chunk.ts';

/**
 * Produces a chunk's messages with one in flight while the next is encoded: the caller (and the COPY stream
 * behind it, through TCP backpressure) waits for Kafka, so memory stays a couple of messages per worker.
 */
export interface MessageSender {
  /**
   * Sends one message carrying `rows` narrow rows; resolves once the previous one is acknowledged. The caller
   * awaits each send before the next (the encode buffers are reused on that rhythm; a second call meanwhile throws).
   */
  send(batch: ChangeBatch, rows: number): Promise<void>;
  /**
   * Waits for the last message; throws its failure. Once it resolves, every message is acknowledged and the
   * encoder goes back to `deps.encoders` for the next chunk; the sender sends no more.
   */
  drain(): Promise<void>;
  /** Waits for the last message, ignoring its failure (on the error path). */
  settle(): Promise<void>;
  /** Rows of the messages Kafka acknowledged. */
  readonly rows: number;
}

/**
 * Encodes a sender's messages into two buffers in turn, reused for the whole chunk: message k is encoded while
 * k−1 may still be in flight, and k−2 was acknowledged before k−1 was sent, so k−2's buffer is free again (kafkajs
 * holds a value by reference only until its request is acknowledged). A fresh buffer per message was a third of
 * the job's remaining off-heap garbage (avsc also zero-fills it).
 */
export class AlternatingEncoder {
  private readonly slots: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
  private next = 0;
  private readonly codec: ChangeBatchCodec;
  constructor(codec: ChangeBatchCodec) {
    this.codec = codec;
  }

  /** The message's bytes: a view valid until the call after next. */
  encode(batch: ChangeBatch): Buffer {
    const i = this.next;
    this.next = 1 - i;
    let slot = this.slots[i]!;
    let end = this.codec.encodeInto(batch, slot);
    if (end < 0) {
      slot = this.slots[i] = Buffer.allocUnsafe(Math.max(64 * 1024, Math.ceil((slot.length - end) * 1.25)));
      end = this.codec.encodeInto(batch, slot);
    }
    return slot.subarray(0, end);
  }
}

export function createSender(deps: ChunkDeps, run: ChunkRun): MessageSender {
  // A chunk's messages reach ~0.5 MB at 100 channels: buffers grown for one chunk serve the next, where a fresh
  // pair per chunk was ~9 MiB of off-heap garbage per 1M rows, held for the chunk's whole life.
  const encoder = deps.encoders?.pop() ?? new AlternatingEncoder(deps.codec);
  let drained = false;
  let inflight: Promise<void> | null = null;
  let rows = 0;
  const key = shipKey(run.chunk.shipId);
  const headers = { [SCHEMA_VERSION_HEADER]: String(deps.codec.version) };
  let sending = false;
  const startSend = (value: Buffer, n: number): void => {
    inflight = deps.producer.send(deps.topic, [{ key, value, headers }]).then(
      () => {
        rows += n;
        run.onRows?.(n);
      },
      (err: unknown) => {
        throw new BackfillError('produce_failed', `produce chunk ${run.jobId}/${run.chunkId} to ${deps.topic}`, { cause: err });
      },
    );
    inflight.catch(() => undefined); // awaited later; this only keeps it from counting as unhandled meanwhile
  };
  return {
    get rows() {
      return rows;
    },
    async send(batch, n) {
      if (sending) throw new Error('MessageSender.send called before the previous send returned');
      if (drained) throw new Error('MessageSender.send called after drain');
      if (deps.signal?.aborted) throw new BackfillError('aborted', 'backfill aborted');
      sending = true;
      try {
        await deps.limiter.take(n);
        const value = encoder.encode(batch);
        if (inflight) await inflight;
        startSend(value, n);
      } finally {
        sending = false;
      }
    },
    async drain() {
      if (inflight) await inflight;
      if (drained) return;
      drained = true;
      deps.encoders?.push(encoder);
    },
    async settle() {
      if (inflight) await inflight.catch(() => undefined);
    },
  };
}
