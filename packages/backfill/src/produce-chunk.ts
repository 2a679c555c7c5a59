import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { SCHEMA_VERSION_HEADER, shipKey, type Change, type ChangeBatch, type ChangeBatchCodec, type Long, type SourceTable } from '@fleetpivot/events';
import type { Producer } from '@fleetpivot/transport-kafka';
import { BinaryCopyParser } from './binary-copy.ts';
import { chunkCopySql } from './chunk-sql.ts';
import { BackfillError } from './errors.ts';
import { decodeNarrowRow, NARROW_SELECT } from './narrow-row.ts';
import type { ChunkSpec } from './plan.ts';
import { checkSlot } from './preflight.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface ChunkDeps {
  source: pg.Pool;
  table: SourceTable;
  slotName: string;
  codec: ChangeBatchCodec;
  producer: Producer;
  topic: string;
  limiter: RateLimiter;
  batchMaxChanges: number;
  batchMaxBytes: number;
  signal?: AbortSignal | undefined;
}

export interface ChunkRun {
  jobId: string;
  chunkId: number;
  chunk: ChunkSpec;
  /** The read snapshot is taken: its WAL position, for the chunk record. */
  onSnapshot?(lsn: string): void;
  /** `n` more rows of this chunk are acknowledged by Kafka. */
  onRows?(n: number): void;
}

interface Pending {
  changes: Change[];
  bytes: number;
}

/**
 * Reads one chunk with COPY inside a REPEATABLE READ snapshot taken after the slot check, and produces
 * it as BACKFILL batches of at most `batchMaxChanges` changes. Memory stays bounded: the COPY stream is
 * consumed only as fast as Kafka acknowledges (one batch in flight while the next fills), so a chunk of
 * any size never sits in memory. Resolves with the row count and snapshot LSN once every message is acknowledged.
 */
export async function produceChunk(deps: ChunkDeps, run: ChunkRun): Promise<{ rows: number; lsn: string }> {
  const client = await deps.source.connect();
  let broken: Error | undefined;
  try {
    // Before the snapshot: a slot seen here already existed when the snapshot below is taken.
    await checkSlot(client, deps.slotName);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    // The first query takes the transaction snapshot; the insert LSN read after it is at or past the commit
    // record of every transaction the snapshot sees.
    const snap = await client.query<{ lsn: string; now_us: string }>(
      `SELECT pg_current_wal_insert_lsn()::text AS lsn, (extract(epoch FROM now()) * 1000000)::int8::text AS now_us`,
    );
    const lsn = snap.rows[0]!.lsn;
    const nowUs = Number(snap.rows[0]!.now_us);
    run.onSnapshot?.(lsn);
    const rows = await streamChunk(client, deps, run, { kind: 'BACKFILL', lsn, commit_time_us: nowUs as Long, xid: null, job_id: run.jobId, chunk_id: `${run.jobId}/${run.chunkId}` });
    await client.query('COMMIT');
    return { rows, lsn };
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // A connection left mid-COPY is unusable: destroy it rather than return it to the pool.
    client.release(broken);
  }
}

async function streamChunk(client: pg.PoolClient, deps: ChunkDeps, run: ChunkRun, source: ChangeBatch['source']): Promise<number> {
  const stream = client.query(copyTo(chunkCopySql(deps.table, run.chunk)));
  const ready: Pending[] = [];
  let current: Pending = { changes: [], bytes: 0 };
  const parser = new BinaryCopyParser(NARROW_SELECT.length, (fields) => {
    const row = decodeNarrowRow(fields);
    current.changes.push(row.change);
    current.bytes += row.bytes;
    if (current.changes.length >= deps.batchMaxChanges || current.bytes >= deps.batchMaxBytes) {
      ready.push(current);
      current = { changes: [], bytes: 0 };
    }
  });
  let inflight: Promise<void> | null = null;
  let rows = 0;
  const send = async (p: Pending) => {
    await deps.limiter.take(p.changes.length);
    if (inflight) await inflight; // one batch in flight while the next is read
    const batch: ChangeBatch = { ship_id: run.chunk.shipId, source, changes: p.changes };
    const value = deps.codec.encode(batch);
    inflight = deps.producer
      .send(deps.topic, [{ key: shipKey(run.chunk.shipId), value, headers: { [SCHEMA_VERSION_HEADER]: String(deps.codec.version) } }])
      .then(
        () => {
          rows += p.changes.length;
          run.onRows?.(p.changes.length);
        },
        (err: unknown) => {
          throw new BackfillError('produce_failed', `produce chunk ${run.jobId}/${run.chunkId} to ${deps.topic}`, { cause: err });
        },
      );
    inflight.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled meanwhile
  };
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      if (deps.signal?.aborted) throw new BackfillError('aborted', 'backfill aborted');
      parser.push(buf);
      while (ready.length > 0) await send(ready.shift()!);
    }
    parser.end();
    if (current.changes.length > 0) await send(current);
    if (inflight) await inflight;
    return rows;
  } catch (err) {
    stream.destroy();
    if (inflight) await (inflight as Promise<void>).catch(() => undefined);
    if (err instanceof BackfillError) throw err;
    throw new BackfillError('copy_failed', `read chunk ${run.jobId}/${run.chunkId} (${JSON.stringify(run.chunk.shipId)})`, { cause: err });
  }
}
