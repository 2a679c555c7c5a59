import type { Socket } from 'node:net';
import type { Submittable } from 'pg';
import { BackfillError } from './errors.ts';
import { ReadTap } from './read-tap.ts';

/**
 * Receives one CopyData payload as `buf[start..end]`. The bytes are only valid during the call: a payload cut
 * across socket reads is assembled in a buffer the next cut payload reuses, so a handler copies what it keeps.
 */
export type CopyDataHandler = (buf: Buffer, start: number, end: number) => void;

interface PgConnection {
  stream: Socket;
  query(text: string): void;
}

const COPY_DATA = 0x64; // 'd'
const COPY_OUT_RESPONSE = 0x48; // 'H'
const COPY_DONE = 0x63; // 'c'
// Messages PostgreSQL may send asynchronously at any time, also during a COPY.
const ASYNC = new Set([0x4e /* N notice */, 0x53 /* S parameter status */, 0x41 /* A notification */]);
// The largest length field a server sends (a row is at most 1 GB, PostgreSQL's MaxAllocSize, plus the field itself).
const MAX_LENGTH_FIELD = 0x40000000 + 4;

/**
 * The whole length (type byte included) of the message whose header starts at `at`. A length no server sends
 * (a corrupt stream) would otherwise walk backwards or make the assembly buffer reserve gigabytes.
 */
function messageLength(buf: Buffer, at: number): number {
  const field = buf.readInt32BE(at + 1);
  if (field < 4 || field > MAX_LENGTH_FIELD) {
    throw new BackfillError('copy_failed', `malformed COPY stream: message type 0x${buf[at]!.toString(16)} has length field ${field}`);
  }
  return 1 + field;
}

/**
 * `COPY ... TO STDOUT` on a node-postgres client, handing on each CopyData payload as a range of the socket
 * read it arrived in. Why not pg-copy-streams: PostgreSQL sends one CopyData message per row, and that stream
 * cuts a Buffer per message and concatenates them again per read; in the backfill's profile that (and the GC
 * it caused) was ~15 % of the process, the biggest cost outside our own code. Here a message is parsed where
 * it lies; only one cut by the end of a socket read is copied.
 *
 * The hand-over is the one pg-copy-streams uses (pg's `Submittable`): on submit the connection's socket is
 * taken from pg's parser and read directly; at CopyDone (or an ErrorResponse, or any message a COPY does not
 * send) the socket and the rest of the bytes go back to pg, which then reports CommandComplete / the error and
 * ReadyForQuery to this object. Reading is pulled (`pump`), so a consumer waiting for Kafka stops reading and
 * TCP holds PostgreSQL back. On a connection made with `readTapStream` (read-tap.ts) the reads arrive in one
 * reused buffer instead of a fresh one each; on any other (TLS) they are the stream's own.
 */
export class CopyOut implements Submittable {
  readonly text: string;
  private readonly onData: CopyDataHandler;
  private connection: PgConnection | null = null;
  private pgData: ((chunk: Buffer) => void) | null = null;
  private tap: ReadTap | undefined;
  /** The tap's read not parsed yet (the socket is paused until it is). */
  private tapped: Buffer | null = null;
  private readonly onReadable = () => this.wake();
  private waiting: (() => void) | null = null;
  /**
   * A message cut at the end of a socket read is assembled here, copied piece by piece as reads arrive, in one
   * buffer grown to the largest such message and reused for the next. Grouped rows (one CopyData per channel,
   * tens of kB) are cut on most reads: a fresh buffer per cut message was ~30 % of the off-heap bytes the job
   * allocated (18 MiB per 1M rows at 100 channels), garbage that lives until V8's next full collection.
   * Copying also lets each socket read go as soon as it is parsed instead of being held by the pieces.
   */
  private scratch: Buffer = Buffer.alloc(0);
  private tailBytes = 0;
  /** The cut message's whole length (type byte included) once its 5-byte header has arrived; 0 before. */
  private tailTotal = 0;
  private handedBack = false;
  private finished = false;
  private error: Error | null = null;
  /** Rows PostgreSQL reported in CommandComplete. */
  rowCount = 0;

  constructor(text: string, onData: CopyDataHandler) {
    this.text = text;
    this.onData = onData;
  }

  submit(connection: unknown): void {
    const con = connection as PgConnection;
    this.connection = con;
    const tap = ReadTap.of(con.stream);
    if (tap) {
      this.tap = tap;
      this.pgData = (bytes) => tap.toPg(bytes);
      tap.divert((buf, n) => {
        this.tapped = buf.subarray(0, n);
        this.wake();
      });
      con.query(this.text);
      return;
    }
    const stream = con.stream;
    const listeners = stream.listeners('data') as ((chunk: Buffer) => void)[];
    if (listeners.length !== 1) throw new BackfillError('copy_failed', `cannot take over the connection's socket (${listeners.length} data listeners)`);
    this.pgData = listeners[0]!;
    stream.removeListener('data', this.pgData);
    stream.pause();
    stream.on('readable', this.onReadable);
    con.query(this.text);
  }

  /**
   * Reads what has arrived (up to about `maxBytes`, or the tap's one read) and hands its CopyData on; resolves true when it read
   * something, false once the COPY is complete. Rejects with PostgreSQL's error or a lost connection.
   */
  async pump(maxBytes = 256 * 1024): Promise<boolean> {
    for (;;) {
      if (this.error) throw this.error;
      if (this.finished) return false;
      const stream = this.connection?.stream;
      if (this.tapped) {
        const chunk = this.tapped;
        this.tapped = null;
        this.parse(chunk);
        if (!this.handedBack) {
          this.tap!.resumeReads();
          return true;
        }
        continue;
      }
      if (stream && !this.tap && !this.handedBack) {
        let read = 0;
        let chunk: Buffer | null;
        while (!this.handedBack && read < maxBytes && (chunk = stream.read() as Buffer | null) !== null) {
          this.parse(chunk);
          read += chunk.length;
        }
        if (read > 0) {
          if (!this.handedBack) return true;
          continue; // pg may already have reported completion while taking the rest
        }
      }
      // Woken by the tap's next read, 'readable' (read() returned null just now, so the stream will emit it),
      // ReadyForQuery or an error.
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  handleCommandComplete(msg: { text?: string }): void {
    const match = /COPY (\d+)/.exec(msg.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {
    this.finished = true;
    this.wake();
  }

  handleError(err: Error): void {
    this.error ??= err;
    if (!this.handedBack) this.handBack(Buffer.alloc(0), 0);
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** Walks the protocol messages of one socket read. */
  private parse(chunk: Buffer): void {
    let pos = 0;
    if (this.tailBytes > 0) {
      pos = this.completeTail(chunk);
      if (pos < 0 || this.handedBack) return;
    }
    while (pos + 5 <= chunk.length) {
      const end = pos + messageLength(chunk, pos);
      if (end > chunk.length) break;
      if (!this.message(chunk, pos, end)) return;
      pos = end;
    }
    if (pos < chunk.length) {
      const n = chunk.length - pos;
      // The whole length when the header arrived; 0 when it was cut too (completeTail learns it then).
      this.tailTotal = n >= 5 ? messageLength(chunk, pos) : 0;
      this.reserve(Math.max(this.tailTotal, 5));
      chunk.copy(this.scratch, 0, pos);
      this.tailBytes = n;
    }
  }

  /** Makes the scratch buffer hold at least `bytes`, keeping the cut message's bytes so far. */
  private reserve(bytes: number): void {
    if (this.scratch.length >= bytes) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2, 64 * 1024));
    this.scratch.copy(grown, 0, 0, this.tailBytes);
    this.scratch = grown;
  }

  /**
   * Completes the message cut at the end of the last read with the start of `chunk`; returns where the rest of
   * `chunk` begins, or -1 when the message is still incomplete (the whole chunk went into it).
   */
  private completeTail(chunk: Buffer): number {
    let used = 0;
    if (this.tailTotal === 0) {
      // Only the header was cut: complete it first to learn the message's length.
      used = Math.min(5 - this.tailBytes, chunk.length);
      chunk.copy(this.scratch, this.tailBytes, 0, used);
      this.tailBytes += used;
      if (this.tailBytes < 5) return -1;
      this.tailTotal = messageLength(this.scratch, 0);
      this.reserve(this.tailTotal);
    }
    const total = this.tailTotal;
    const take = Math.min(total - this.tailBytes, chunk.length - used);
    chunk.copy(this.scratch, this.tailBytes, used, used + take);
    this.tailBytes += take;
    if (this.tailBytes < total) return -1;
    this.tailBytes = 0;
    this.tailTotal = 0;
    const rest = used + take;
    if (!this.message(this.scratch.subarray(0, total), 0, total)) {
      // pg takes over: the rest of this read follows the message it was handed.
      if (rest < chunk.length) this.pgData!(chunk.subarray(rest));
      return -1;
    }
    return rest;
  }

  /** Handles one message at `start..end`; false once the socket went back to pg. */
  private message(buf: Buffer, start: number, end: number): boolean {
    const code = buf[start]!;
    if (code === COPY_DATA) this.onData(buf, start + 5, end);
    else if (code === COPY_OUT_RESPONSE || ASYNC.has(code)) return true;
    else if (code === COPY_DONE) this.handBack(buf, end);
    else this.handBack(buf, start); // ErrorResponse (or anything else): pg parses it and tells us
    return !this.handedBack;
  }

  /** Gives the socket back to pg, with the bytes from `from` on (CommandComplete and ReadyForQuery, or an error). */
  private handBack(buf: Buffer, from: number): void {
    const con = this.connection;
    this.handedBack = true;
    if (this.tap) {
      this.tapped = null;
      this.tap.restore(buf.subarray(from));
      return;
    }
    if (!con || !this.pgData) return;
    const stream = con.stream;
    stream.removeListener('readable', this.onReadable);
    stream.addListener('data', this.pgData);
    if (from < buf.length) this.pgData(buf.subarray(from));
    // As pg-copy-streams does: resume on the next tick, after the data handler above has run.
    process.nextTick(() => stream.resume());
  }
}
