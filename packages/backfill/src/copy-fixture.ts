import { NARROW_SELECT } from '@fleetpivot/events';
import { BinaryCopyParser, SIGNATURE, type RawFields } from './binary-copy.ts';
import { GROUPED_ARRAYS, GROUPED_STRING_MAX_BYTES } from './channel-groups.ts';

/**
 * Binary COPY streams of narrow rows for unit tests (not used by the job): what PostgreSQL sends for
 * `COPY (SELECT <NARROW_SELECT>) TO STDOUT (FORMAT binary)`, so tests run the real parser on it.
 */

export const PG_EPOCH_US = 946_684_800_000_000n;
export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/** A narrow row; `time` is PostgreSQL's raw int64 (microseconds since 2000, ±infinity the int64 extremes). */
export interface NarrowInput {
  ship?: string | null;
  channel: string | null;
  time: bigint | null;
  format: string | null;
  double?: number | null;
  long?: bigint | null;
  str?: string | null;
  bool?: boolean | null;
}

/** PostgreSQL's raw time for Unix microseconds (infinities stay the extremes). */
export function rawTime(unixUs: bigint): bigint {
  return unixUs === INT64_MAX || unixUs === INT64_MIN ? unixUs : unixUs - PG_EPOCH_US;
}

/** An int64 as its 8 big-endian bytes (PostgreSQL's binary form of int8 and of timestamptz). */
export function int64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

function float8(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
}

export function narrowFields(r: NarrowInput): (Buffer | null)[] {
  const text = (v: string | null | undefined) => (v === null || v === undefined ? null : Buffer.from(v, 'utf8'));
  return [
    text(r.ship === undefined ? 'IMO1' : r.ship),
    text(r.channel),
    r.time === null ? null : int64(r.time),
    text(r.format),
    r.double === null || r.double === undefined ? null : float8(r.double),
    r.long === null || r.long === undefined ? null : int64(r.long),
    text(r.str),
    r.bool === null || r.bool === undefined ? null : Buffer.from([r.bool ? 1 : 0]),
  ];
}

/** `head`, then each value's length (-1 for NULL) and bytes: a COPY tuple's fields, an array's elements. */
function lengthPrefixed(head: Buffer, values: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [head];
  for (const v of values) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(v ? v.length : -1);
    parts.push(len);
    if (v) parts.push(v);
  }
  return Buffer.concat(parts);
}

/** One binary COPY tuple: field count, then each field's length (-1 for NULL) and bytes. */
export function tuple(fields: (Buffer | null)[]): Buffer {
  return lengthPrefixed(Buffer.from([fields.length >> 8, fields.length & 0xff]), fields);
}

export function copyStream(rows: readonly NarrowInput[]): Buffer {
  const header = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
  return Buffer.concat([header, ...rows.map((r) => tuple(narrowFields(r))), Buffer.from([0xff, 0xff])]);
}

/** Splits `stream` into pieces of about `piece` bytes, as the socket would deliver it. */
export function pieces(stream: Buffer, piece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += piece) out.push(stream.subarray(at, at + piece));
  return out;
}

/** Runs the rows through the real parser, calling `onRow` per tuple. */
export function parseRows(rows: readonly NarrowInput[], onRow: (f: RawFields) => void, piece = 65_536): void {
  const parser = new BinaryCopyParser(NARROW_SELECT.length, onRow);
  for (const p of pieces(copyStream(rows), piece)) parser.push(p);
  parser.end();
}

/** The order in which a grouped read presents the rows: groups in order of first sight, rows in order inside. */
export function groupedOrder(rows: readonly NarrowInput[]): NarrowInput[][] {
  const groups = new Map<string, NarrowInput[]>();
  for (const r of rows) {
    const long = r.str !== null && r.str !== undefined && Buffer.byteLength(r.str) > GROUPED_STRING_MAX_BYTES;
    const key = JSON.stringify([r.channel, r.format, long ? String(r.time) : null]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/** A binary one-dimensional array of `oid` elements (PostgreSQL's array_send). */
function binaryArray(oid: number, elements: (Buffer | null)[]): Buffer {
  const head = Buffer.alloc(20);
  head.writeInt32BE(1, 0);
  head.writeInt32BE(elements.some((e) => e === null) ? 1 : 0, 4);
  head.writeInt32BE(oid, 8);
  head.writeInt32BE(elements.length, 12);
  head.writeInt32BE(1, 16);
  return lengthPrefixed(head, elements);
}

/** What PostgreSQL sends for chunkGroupedCopySql over these rows (groups as groupedOrder gives them). */
export function groupedCopyStream(rows: readonly NarrowInput[]): Buffer {
  const header = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
  const tuples = groupedOrder(rows).map((g) => {
    const fields = g.map(narrowFields);
    const first = fields[0]!;
    // NARROW_SELECT positions of created_time, double_v, long_v, str_v, bool_v: GROUPED_ARRAYS order.
    const arrays = [2, 4, 5, 6, 7].map((at, k) => binaryArray(GROUPED_ARRAYS[k]![2], fields.map((f) => f[at]!)));
    return tuple([first[1] ?? null, first[3] ?? null, ...arrays]);
  });
  return Buffer.concat([header, ...tuples, Buffer.from([0xff, 0xff])]);
}

/** One protocol message as PostgreSQL frames it: type byte, Int32 length (itself included), payload. */
export function copyMessage(code: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

/** A small deterministic PRNG (mulberry32), uniform in [0, 1): failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded integers in [0, n) from prng. */
export function randomInts(seed: number): (n: number) => number {
  const next = prng(seed);
  return (n) => Math.floor(next() * n);
}

/** `n` seeded random bytes. */
export function randomBytes(n: number, seed: number): Buffer {
  const int = randomInts(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}
