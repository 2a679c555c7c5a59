import type pg from 'pg';
import { coerceError } from '@fleetpivot/pgkit';
import type { Logger } from '@fleetpivot/telemetry';
import { BackfillError } from './errors.ts';
import { markChunkDone, markChunkFailed, markChunkLsn, markChunkRunning, type ChunkRecord } from './job-store.ts';
import type { BackfillMetrics } from './metrics.ts';
import { produceChunk, type ChunkDeps } from './produce-chunk.ts';
import type { ProgressTracker } from './progress.ts';

export interface WorkerDeps extends ChunkDeps {
  target: pg.Pool;
}

export interface WorkerOptions {
  jobId: string;
  parallelism: number;
  maxChunkAttempts: number;
  tracker: ProgressTracker;
  metrics: BackfillMetrics | null;
  logger: Logger;
}

export interface ChunksOutcome {
  rows: number;
  chunks: number;
  /** One line per chunk that failed every attempt. */
  failed: string[];
}

/**
 * `parallelism` workers take chunks in plan order (smallest ships first). A chunk is marked done only
 * after Kafka acknowledged all its messages; a failed attempt is retried (its partial output is produced
 * again, harmless: the pivot fills only NULL cells), and a chunk failing every attempt is recorded as
 * failed while the others go on, so one bad range does not waste the rest of the run.
 */
export async function runChunks(pending: readonly ChunkRecord[], deps: WorkerDeps, o: WorkerOptions): Promise<ChunksOutcome> {
  const queue = [...pending];
  const outcome: ChunksOutcome = { rows: 0, chunks: 0, failed: [] };
  const shipLabel = (c: ChunkRecord) => c.shipId ?? '(null)';
  const worker = async () => {
    for (let chunk = queue.shift(); chunk && !deps.signal?.aborted; chunk = queue.shift()) {
      for (let attempt = 1; ; attempt++) {
        o.tracker.chunkStarted(chunk);
        try {
          await markChunkRunning(deps.target, o.jobId, chunk.id);
          const c = chunk;
          const { rows, lsn } = await produceChunk(deps, {
            jobId: o.jobId,
            chunkId: c.id,
            chunk: c,
            onSnapshot: (lsn) => void markChunkLsn(deps.target, o.jobId, c.id, lsn).catch(() => undefined),
            onRows: (n) => {
              o.tracker.rows(c, n);
              o.metrics?.rows.inc({ job: o.jobId }, n);
              o.metrics?.progress.set({ ship: shipLabel(c) }, o.tracker.shipRatio(c.shipId));
            },
          });
          await markChunkDone(deps.target, o.jobId, chunk.id, rows, lsn);
          o.tracker.chunkEnded(chunk, true);
          o.metrics?.chunks.inc({ status: 'done' });
          o.metrics?.progress.set({ ship: shipLabel(chunk) }, o.tracker.shipRatio(chunk.shipId));
          outcome.rows += rows;
          outcome.chunks++;
          break;
        } catch (err) {
          o.tracker.chunkEnded(chunk, false);
          if (deps.signal?.aborted || (err instanceof BackfillError && err.code === 'slot_missing')) throw err;
          const e = coerceError(err);
          const detail = `${e.message}${e.cause ? `: ${coerceError(e.cause).message}` : ''}`;
          o.logger.warn({ job: o.jobId, chunk: chunk.id, ship: chunk.shipId, attempt, err: e }, 'backfill chunk attempt failed');
          if (attempt >= o.maxChunkAttempts) {
            await markChunkFailed(deps.target, o.jobId, chunk.id, detail).catch(() => undefined);
            o.metrics?.chunks.inc({ status: 'failed' });
            outcome.failed.push(`chunk ${chunk.id} (ship ${JSON.stringify(chunk.shipId)}): ${detail}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
        }
      }
    }
  };
  // A fatal error (abort, slot gone) empties the queue so the other workers stop after their current chunk.
  const guarded = () =>
    worker().catch((err: unknown) => {
      queue.length = 0;
      throw err;
    });
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(o.parallelism, queue.length)) }, guarded));
  const thrown = results.find((r) => r.status === 'rejected');
  if (thrown) throw thrown.reason;
  return outcome;
}
