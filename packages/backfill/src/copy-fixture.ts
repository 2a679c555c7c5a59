import { BinaryCopyParser, SIGNATURE, type RawFields } from './binary-copy.ts';
import { NARROW_SELECT } from './narrow-row.ts';

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

/** One binary COPY tuple: field count, then each field's length (-1 for NULL) and bytes. */
export function tuple(fields: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [Buffer.from([fields.length >> 8, fields.length & 0xff])];
  for (const f of fields) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(f ? f.length : -1);
    parts.push(len);
    if (f) parts.push(f);
  }
  return Buffer.concat(parts);
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
