import { SCHEMA_VERSION_HEADER, shipKey, type ChangeBatch } from '@fleetpivot/events';
import { BackfillError } from './errors.ts';
import type { ChunkDeps, ChunkRun } from './produce-chunk.ts';

/**
 * Produces a chunk's messages with one in flight while the next is encoded: the caller (and the COPY stream
 * behind it, through TCP backpressure) waits for Kafka, so memory stays a couple of messages per worker.
 */
export interface MessageSender {
  /** Sends one message carrying `rows` narrow rows; resolves once the previous one is acknowledged. */
  send(batch: ChangeBatch, rows: number): Promise<void>;
  /** Waits for the last message; throws its failure. */
  drain(): Promise<void>;
  /** Waits for the last message, ignoring its failure (on the error path). */
  settle(): Promise<void>;
  /** Rows of the messages Kafka acknowledged. */
  readonly rows: number;
}

export function createSender(deps: ChunkDeps, run: ChunkRun): MessageSender {
  let inflight: Promise<void> | null = null;
  let rows = 0;
  const key = shipKey(run.chunk.shipId);
  const headers = { [SCHEMA_VERSION_HEADER]: String(deps.codec.version) };
  return {
    get rows() {
      return rows;
    },
    async send(batch, n) {
      if (deps.signal?.aborted) throw new BackfillError('aborted', 'backfill aborted');
      await deps.limiter.take(n);
      const value = deps.codec.encode(batch);
      if (inflight) await inflight;
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
    },
    async drain() {
      if (inflight) await inflight;
    },
    async settle() {
      if (inflight) await inflight.catch(() => undefined);
    },
  };
}
