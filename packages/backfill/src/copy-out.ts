import type { Socket } from 'node:net';
import type { Submittable } from 'pg';
import { BackfillError } from './errors.ts';

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
 * TCP holds PostgreSQL back.
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

export class CopyOut implements Submittable {
  readonly text: string;
  private readonly onData: CopyDataHandler;
  private connection: PgConnection | null = null;
  private pgData: ((chunk: Buffer) => void) | null = null;
  private readonly onReadable = () => this.wake();
  private waiting: (() => void) | null = null;
  /** A message cut at the end of the last socket read: its pieces and the total length once known. */
  private tail: Buffer[] = [];
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
    const stream = con.stream;
    const listeners = stream.listeners('data') as ((chunk: Buffer) => void)[];
    if (listeners.length !== 1) throw new BackfillError('copy_failed', `cannot take over the connection's socket (${listeners.length} data listeners)`);
    this.connection = con;
    this.pgData = listeners[0]!;
    stream.removeListener('data', this.pgData);
    stream.pause();
    stream.on('readable', this.onReadable);
    con.query(this.text);
  }

  /**
   * Reads what has arrived (up to about `maxBytes`) and hands its CopyData on; resolves true when it read
   * something, false once the COPY is complete. Rejects with PostgreSQL's error or a lost connection.
   */
  async pump(maxBytes = 256 * 1024): Promise<boolean> {
    for (;;) {
      if (this.error) throw this.error;
      if (this.finished) return false;
      const stream = this.connection?.stream;
      if (stream && !this.handedBack) {
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
      // Woken by 'readable' (read() returned null just now, so the stream will emit it), ReadyForQuery or an error.
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
      const end = pos + 1 + chunk.readInt32BE(pos + 1);
      if (end > chunk.length) break;
      if (!this.message(chunk, pos, end)) return;
      pos = end;
    }
    if (pos < chunk.length) {
      this.tail = [chunk.subarray(pos)];
      this.tailBytes = chunk.length - pos;
    }
  }

  /**
   * Completes the message cut at the end of the last read with the start of `chunk`; returns where the rest of
   * `chunk` begins, or -1 when the message is still incomplete (the whole chunk went into it).
   */
  private completeTail(chunk: Buffer): number {
    if (this.tailTotal === 0) {
      // The header is read once per cut message (concatenating only its first 5 bytes when it was cut too):
      // rows grouped per channel span several socket reads, and re-joining the tail on every read to learn
      // the length was ~8 % of the job's off-heap garbage.
      const first = this.tail[0]!;
      const header = first.length >= 5 ? first : Buffer.concat([...this.tail, chunk.subarray(0, 5 - this.tailBytes)]);
      if (header.length < 5) {
        this.tail = [header];
        this.tailBytes = header.length;
        return -1;
      }
      this.tailTotal = 1 + header.readInt32BE(1);
    }
    const total = this.tailTotal;
    const take = Math.min(total - this.tailBytes, chunk.length);
    this.tail.push(chunk.subarray(0, take));
    this.tailBytes += take;
    if (this.tailBytes < total) {
      // Pieces still point into reads that are otherwise consumed: keep only the bytes of this message.
      if (this.tail.length > 64) this.tail = [Buffer.concat(this.tail, this.tailBytes)];
      return -1;
    }
    const message = Buffer.concat(this.tail, this.tailBytes);
    this.tail = [];
    this.tailBytes = 0;
    this.tailTotal = 0;
    if (!this.message(message, 0, total)) {
      // pg takes over: the rest of this read follows the message it was handed.
      if (take < chunk.length) this.pgData!(chunk.subarray(take));
      return -1;
    }
    return take;
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
    if (!con || !this.pgData) return;
    const stream = con.stream;
    stream.removeListener('readable', this.onReadable);
    stream.addListener('data', this.pgData);
    if (from < buf.length) this.pgData(buf.subarray(from));
    // As pg-copy-streams does: resume on the next tick, after the data handler above has run.
    process.nextTick(() => stream.resume());
  }
}
