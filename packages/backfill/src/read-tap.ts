import net from 'node:net';

/** Node's own read size for a stream socket. */
const READ_BUFFER_BYTES = 64 * 1024;

const TAP = Symbol('fleetpivot.readTap');

/** Gets the bytes of one socket read as `buf[0..n]`; they stay unchanged until the reader calls `resumeReads()`. */
export type TapReader = (buf: Buffer, n: number) => void;

/**
 * A socket for node-postgres whose reads all land in one buffer allocated once (net.Socket's `onread`). Why: by
 * default every read is a fresh off-heap buffer, ~35 MB per 1M narrow rows of binary COPY (measured). A read held
 * while the chunk waits for Kafka outlives V8's young-generation collections, and its memory then stays until the
 * next full collection: the backfill's peak RSS rose with the length of the run (docs/performance.md, Memory).
 *
 * Two modes:
 * - pg's (the default): each read is copied and emitted as 'data', because pg's parser keeps a reference to a
 *   message cut at the end of a read. Outside a COPY the traffic is small.
 * - diverted (CopyOut, during a COPY): each read goes to the reader in place and the socket stops reading until
 *   the reader calls `resumeReads()`, so the buffer never changes while the reader holds it. That pause is also
 *   the backpressure: TCP holds PostgreSQL back while the chunk waits for Kafka.
 */
export class ReadTap {
  readonly socket: net.Socket;
  private readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private reader: TapReader | null = null;

  constructor() {
    this.socket = new net.Socket({ onread: { buffer: this.buffer, callback: (n) => this.onRead(n) } });
    Object.defineProperty(this.socket, TAP, { value: this });
  }

  /** The tap of a socket made here; undefined for any other stream (a TLS socket, a test's stream). */
  static of(stream: unknown): ReadTap | undefined {
    return typeof stream === 'object' && stream !== null ? ((stream as Record<symbol, ReadTap | undefined>)[TAP] ?? undefined) : undefined;
  }

  /** Sends the reads to `reader` (one at a time, see TapReader) until `restore`. */
  divert(reader: TapReader): void {
    if (this.reader) throw new Error('socket reads are already diverted');
    this.reader = reader;
  }

  /** The reader is done with the bytes it was handed: read on. */
  resumeReads(): void {
    this.socket.resume();
  }

  /** Reads go back to pg, starting with `rest` (the bytes after the reader's last message). */
  restore(rest: Buffer): void {
    this.reader = null;
    this.toPg(rest);
    this.socket.resume();
  }

  /** Hands pg bytes as a read of its own: a copy, since the buffer is reused and pg may keep a cut message. */
  toPg(bytes: Buffer): void {
    if (bytes.length > 0) this.socket.emit('data', Buffer.from(bytes));
  }

  /** false pauses the socket (Node's onread contract). */
  private onRead(n: number): boolean {
    const reader = this.reader;
    if (!reader) {
      this.toPg(this.buffer.subarray(0, n));
      return true;
    }
    reader(this.buffer, n);
    return false;
  }
}

/**
 * pg's `stream` option: a ReadTap's socket for a plain connection. A TLS connection keeps pg's own socket, since
 * TLS reads its records off the socket itself and the tap would never see them (CopyOut then reads the stream).
 */
export function readTapStream(config?: { ssl?: unknown }): net.Socket {
  return config?.ssl ? new net.Socket() : new ReadTap().socket;
}
