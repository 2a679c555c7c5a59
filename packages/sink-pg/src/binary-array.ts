import type { Long } from '@fleetpivot/events';
import type { ColumnType } from '@fleetpivot/pivot';
import { columnArray } from './merge-sql.ts';

/**
 * Fill values as PostgreSQL's binary array format (array_send: ndim, has-null flag, element type, length,
 * lower bound, then each element as a length and its bytes, or -1 for NULL). node-postgres sends a Buffer
 * parameter in binary, so a `$n::float8[]` parameter built here is read by array_recv with no text at all. Why:
 * a block already holds Decimal, Integer and Boolean values as PostgreSQL's binary bytes (big-endian float8 /
 * int8, one byte 0/1); as text every value was formatted in the pivot (String(v)) and parsed again by float8in
 * in PostgreSQL, the largest per-value costs of applying a fill. Exact in both directions (-0, NaN, ±Infinity,
 * int64 beyond 2^53 included).
 */

/** Element type OIDs (pg_type) of the columns kept in binary. */
const ELEMENT_OID: Partial<Record<ColumnType, number>> = { 'double precision': 701, bigint: 20, boolean: 16 };
const TIMESTAMPTZ_OID = 1184;
const WIDTH: Partial<Record<ColumnType, number>> = { 'double precision': 8, bigint: 8, boolean: 1 };
/** The column type whose binary form a block format's bytes already are. */
const SAME_TYPE: Record<string, ColumnType> = { Decimal: 'double precision', Integer: 'bigint', Boolean: 'boolean' };

/** Bytes per value when a block format's packed values are `type`'s binary form as they are; 0 otherwise. */
export function binaryWidth(format: string, type: ColumnType): number {
  return SAME_TYPE[format] === type ? WIDTH[type]! : 0;
}

/** The binary value at `at` (float8 / int8 big-endian, or a 0/1 byte) as PostgreSQL input text for `type`. */
export function binaryValueText(type: ColumnType, buf: Buffer, at: number): string {
  if (type === 'boolean') return buf[at] === 1 ? 'true' : 'false';
  if (type === 'bigint') return buf.readBigInt64BE(at).toString();
  const v = buf.readDoubleBE(at);
  return v === 0 && 1 / v < 0 ? '-0' : String(v);
}

const PG_EPOCH_US = 946_684_800_000_000; // 2000-01-01 in Unix microseconds
const PG_EPOCH_US_N = 946_684_800_000_000n;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const TWO_32 = 4294967296;

function header(buf: Buffer, hasNull: boolean, oid: number, n: number): number {
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(hasNull ? 1 : 0, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(n, 12);
  buf.writeInt32BE(1, 16);
  return 20;
}

/**
 * Unix-epoch microseconds as a binary timestamptz[] (PostgreSQL counts from 2000-01-01; ±infinity are the int64
 * extremes in both). Times must be in timestamptz's range (fillBlockProblem refuses others).
 */
export function timestampArray(times: readonly Long[]): Buffer {
  const buf = Buffer.allocUnsafe(20 + times.length * 12);
  let at = header(buf, false, TIMESTAMPTZ_OID, times.length);
  for (const t of times) at = writeTimestampField(buf, at, t);
  return buf;
}

/** One time as a binary timestamptz element or COPY field (its length word, 8, then the value) at `at`; the next offset. */
export function writeTimestampField(buf: Buffer, at: number, t: Long): number {
  buf.writeInt32BE(8, at);
  if (typeof t === 'number') {
    const v = t - PG_EPOCH_US; // exact: t is a safe integer and so is the difference
    const hi = Math.floor(v / TWO_32);
    buf.writeInt32BE(hi, at + 4);
    buf.writeUInt32BE(v - hi * TWO_32, at + 8);
  } else buf.writeBigInt64BE(t === INT64_MAX || t === INT64_MIN ? t : t - PG_EPOCH_US_N, at + 4);
  return at + 12;
}

/**
 * One part column's fill values by row. Values of the column's own type are kept as their binary bytes;
 * the first value that needs text (another format converted by the column rule, or a text column) turns the
 * column to text for this statement (the bytes already held are converted by the same rule as fillText).
 */
export class FillColumnValues {
  readonly type: ColumnType;
  private readonly width: number;
  private raw: Uint8Array;
  private present: Uint8Array;
  private text: (string | undefined)[] | null;

  /** `capacity`: rows expected (more are taken, by growing). */
  constructor(type: ColumnType, capacity = 64) {
    this.type = type;
    this.width = WIDTH[type] ?? 0;
    const rows = Math.max(1, capacity);
    this.raw = new Uint8Array(this.width * rows);
    this.present = new Uint8Array(this.width === 0 ? 0 : rows);
    this.text = this.width === 0 ? [] : null;
  }

  /** Whether a value of the column's own binary type can be set with setRaw. */
  get binary(): boolean {
    return this.text === null;
  }

  /** The value at row `row`: `width` bytes of `src` from `at` (big-endian float8 / int8, or a 0/1 byte). */
  setRaw(row: number, src: Uint8Array, at: number): void {
    if (row >= this.present.length) this.grow(row);
    const w = this.width;
    const o = row * w;
    for (let i = 0; i < w; i++) this.raw[o + i] = src[at + i]!;
    this.present[row] = 1;
  }

  setText(row: number, value: string): void {
    const text = this.text ?? this.toText();
    text[row] = value;
  }

  /**
   * Whether a binary COPY can carry the column as held: its values are in their own binary form, or it is a text
   * column (whose binary form is its UTF-8). A non-text column turned to text (converted values) cannot.
   */
  get copyable(): boolean {
    return this.text === null || this.type === 'text';
  }

  /** Bytes of row `row` as a binary COPY field, its length word included. Only for a `copyable` column. */
  copyFieldBytes(row: number): number {
    if (this.text !== null) {
      const v = this.text[row];
      return v === undefined ? 4 : 4 + Buffer.byteLength(v, 'utf8');
    }
    return this.present[row] === 1 ? 4 + this.width : 4;
  }

  /** Row `row` as a binary COPY field at `at` (a length word, -1 for none, then the bytes); the next offset. */
  writeCopyField(row: number, buf: Buffer, at: number): number {
    if (this.text !== null) {
      const v = this.text[row];
      if (v === undefined) return buf.writeInt32BE(-1, at);
      const n = buf.write(v, at + 4, 'utf8');
      buf.writeInt32BE(n, at);
      return at + 4 + n;
    }
    if (this.present[row] !== 1) return buf.writeInt32BE(-1, at);
    const w = this.width;
    buf.writeInt32BE(w, at);
    const o = row * w;
    for (let i = 0; i < w; i++) buf[at + 4 + i] = this.raw[o + i]!;
    return at + 4 + w;
  }

  /** The parameter for `rows` rows: a binary array Buffer, or (text) what columnArray makes. */
  param(rows: number): unknown {
    if (this.text !== null) return columnArray(this.type, this.text, rows);
    let held = 0;
    for (let r = 0; r < rows; r++) held += this.present[r] ?? 0;
    const w = this.width;
    const buf = Buffer.allocUnsafe(20 + held * (4 + w) + (rows - held) * 4);
    let at = header(buf, held < rows, ELEMENT_OID[this.type]!, rows);
    // An array element is laid out as a binary COPY field: a length word (-1: NULL), then the bytes.
    for (let r = 0; r < rows; r++) at = this.writeCopyField(r, buf, at);
    return buf;
  }

  private grow(row: number): void {
    let size = Math.max(1, this.present.length);
    while (size <= row) size *= 2;
    const present = new Uint8Array(size);
    present.set(this.present);
    const raw = new Uint8Array(size * this.width);
    raw.set(this.raw);
    this.present = present;
    this.raw = raw;
  }

  private toText(): (string | undefined)[] {
    const text: (string | undefined)[] = [];
    const view = Buffer.from(this.raw.buffer, this.raw.byteOffset, this.raw.byteLength);
    for (let r = 0; r < this.present.length; r++) if (this.present[r] === 1) text[r] = binaryValueText(this.type, view, r * this.width);
    this.text = text;
    return text;
  }
}
