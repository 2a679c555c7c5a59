import type pg from 'pg';
import type { ChangeBatch, ChangeBatchCodec, Long, SourceTable } from '@fleetpivot/events';
import type { Producer } from '@fleetpivot/transport-kafka';
import { BinaryCopyParser } from './binary-copy.ts';
import { cellSink } from './cell-sink.ts';
import { chooseRead } from './chunk-read.ts';
import type { ChunkAccess } from './chunk-sql.ts';
import { columnarSink } from './columnar-sink.ts';
import { CopyOut } from './copy-out.ts';
import { BackfillError } from './errors.ts';
import type { FillArrays } from './fill-arrays.ts';
import { defaultFillCaps, type FillCaps } from './fill-builder.ts';
import { createSender, type AlternatingEncoder } from './message-sender.ts';
import { defaultBackfillOptions, type BackfillEncoding } from './options.ts';
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
  /** 'columnar' (default): backfill cells as FillBlocks, irregular rows as changes; 'changes': every row a change (v1 style). */
  encoding?: BackfillEncoding;
  /** Estimated rows per channel from which a columnar chunk is read grouped (chunk-read.ts; default 250). */
  groupedMinRowsPerChannel?: number;
  /** How a chunk bounded in time is read (preflight decides from the table's indexes; default 'scan'). */
  access?: ChunkAccess;
  /**
   * Ship → its channels, walked once per run for `channel-walk`. A list from an earlier chunk's snapshot is
   * enough: a channel with no row visible then only has rows committed after it, after the slot existed, which
   * the capture delivers live. (A list from a later snapshot can only lack channels whose every row was deleted
   * in between: the capture delivers those DELETEs, so not backfilling the rows ends the same.)
   */
  shipChannels?: Map<string, Promise<readonly string[]>>;
  /** Fill arrays sent chunks gave back (fill-builder.ts), shared by the workers; none: fresh ones per take. */
  fillArrays?: FillArrays[];
  /** Encoders finished chunks gave back (message-sender.ts), shared by the workers; none: one per chunk. */
  encoders?: AlternatingEncoder[];
  /** When the columnar builder sends what it holds (default: defaultFillCaps of the default chunk rows). */
  fillCaps?: FillCaps;
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

/**
 * Reads one chunk with COPY inside a REPEATABLE READ snapshot taken after the slot check, and produces
 * it as BACKFILL messages of at most `batchMaxChanges` cells or changes and about `batchMaxBytes`: columnar
 * (columnar-sink.ts) or cell form (cell-sink.ts). Memory stays bounded: the COPY stream is consumed only as
 * fast as Kafka acknowledges (one message in flight while the next is encoded), and the columnar builder sends
 * what it holds at its caps, so a chunk of any size never sits in memory. Resolves with the row count and
 * snapshot LSN once every message is acknowledged.
 */
export async function produceChunk(deps: ChunkDeps, run: ChunkRun): Promise<{ rows: number; lsn: string }> {
  const client = await deps.source.connect();
  let broken: Error | undefined;
  try {
    // Before the snapshot: a slot seen here already existed when the snapshot below is taken.
    await checkSlot(client, deps.slotName);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // JIT compiles expressions for plans it thinks costly (~40 ms per chunk measured); a COPY of plain columns gains nothing.
    // With an index leading on ship_id, a chunk reads its ship through it: the planner costs a ship of 10 %
    // of the table about like a sequential scan, which then reads the whole table for every chunk (measured:
    // 190 ms against 45 ms for a 100k-row ship of a 1M-row table, on every one of the 10 ships' chunks).
    await client.query(`SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off${deps.access === 'channel-walk' ? '; SET LOCAL enable_seqscan = off' : ''}`);
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
  const sender = createSender(deps, run);
  const ctx = { sender, shipId: run.chunk.shipId, source, batchMaxChanges: deps.batchMaxChanges, batchMaxBytes: deps.batchMaxBytes };
  // Rows without a ship stay in cell form: the pivot parks such a batch whole, and parked changes are readable.
  const columnar = (deps.encoding ?? 'columnar') === 'columnar' && run.chunk.shipId !== null;
  const read = await chooseRead(client, deps, run.chunk);
  if (read.settings.length > 0) await client.query(read.settings.map((s) => `SET LOCAL ${s}`).join('; '));
  const sink = columnar ? columnarSink({ ...ctx, codec: deps.codec, caps: deps.fillCaps ?? defaultFillCaps(defaultBackfillOptions.chunkRows), grouped: read.grouped, spare: deps.fillArrays }) : cellSink(ctx);
  const parser = new BinaryCopyParser(read.fields, sink.row);
  const copy = new CopyOut(read.sql, (buf, start, end) => parser.pushRange(buf, start, end));
  client.query(copy);
  try {
    while (await copy.pump()) {
      if (deps.signal?.aborted) throw new BackfillError('aborted', 'backfill aborted');
      await sink.flush();
    }
    parser.end();
    await sink.finish();
    await sender.drain();
    // Every row read must be in exactly one acknowledged message; if not (a bug), the chunk must not be recorded done.
    const rows = sink.narrowRows?.() ?? parser.rows;
    if (sender.rows !== rows) throw new BackfillError('decode_failed', `chunk ${run.jobId}/${run.chunkId}: read ${rows} rows but produced ${sender.rows}`);
    return sender.rows;
  } catch (err) {
    // The caller destroys the connection (mid-COPY it is unusable).
    await sender.settle();
    if (err instanceof BackfillError) throw err;
    throw new BackfillError('copy_failed', `read chunk ${run.jobId}/${run.chunkId} (${JSON.stringify(run.chunk.shipId)})`, { cause: err });
  }
}
