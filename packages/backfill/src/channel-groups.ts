import { BackfillError } from './errors.ts';
import type { RawFields } from './binary-copy.ts';
import { formatCode, type FillBuilder } from './fill-builder.ts';
import { decodeNarrowRow, type NarrowRow } from './narrow-row.ts';

/**
 * A chunk read as one row per (channel, value_format): PostgreSQL groups the chunk and sends each group's
 * times and values as arrays, instead of one COPY tuple per narrow row. Measured on a 100k-row ship of 100
 * channels: about the same server time as the row-per-tuple COPY, a quarter of the bytes, and no per-row tuple
 * parsing, channel compare or format check in the backfill (which was most of its CPU). Every element is still
 * checked as a row of its own: a regular one becomes a block cell, any other is decoded exactly as the row path
 * decodes it (all columns are in the arrays, aligned: the aggregates of one group see its rows in one order).
 *
 * Fields of a group tuple, in GROUPED_ARRAYS order after the channel and the format.
 */
export const GROUPED_ARRAYS = [
  ['created_time', 'timestamptz', 1184],
  ['double_v', 'float8', 701],
  ['long_v', 'int8', 20],
  ['str_v', 'text', 25],
  ['bool_v', 'bool', 16],
] as const;

export const GROUPED_FIELDS = 2 + GROUPED_ARRAYS.length;

/**
 * Strings longer than this get a group of their own (their time's): a group tuple is then at most ~100 bytes per
 * row of its channel in the chunk (~10 MB for a whole 100k-row chunk), in PostgreSQL and here, whatever the strings.
 */
export const GROUPED_STRING_MAX_BYTES = 64;

const CHANNEL = 0;
const FORMAT = 1;
const TIMES = 2;
/** The array field holding each format code's value (fill-builder FILL_FORMATS order). */
const VALUE_ARRAY = [3, 4, 5, 6];
/** Group array field → NARROW_SELECT position, for decoding an irregular element as the row path would. */
const NARROW_POSITION = [2, 4, 5, 6, 7];

export interface GroupHandlers {
  /** The builder reached a cap: take its cells before the next element. */
  onFull(): void;
  /** An element a block cannot carry, decoded as the row path decodes the same row. */
  onIrregular(row: NarrowRow): void;
}

/** Reads group tuples into a FillBuilder; elements it refuses go to onIrregular. */
export class GroupReader {
  private readonly builder: FillBuilder;
  private readonly handlers: GroupHandlers;
  /** Per array: the next element's byte offset and its index. */
  private readonly at = new Int32Array(GROUPED_ARRAYS.length);
  private readonly index = new Int32Array(GROUPED_ARRAYS.length);
  private readonly ends = new Int32Array(GROUPED_ARRAYS.length);
  /** Per array: where its last read element starts, and its length (-1 NULL). */
  private readonly lastStart = new Int32Array(GROUPED_ARRAYS.length);
  private readonly lastLength = new Int32Array(GROUPED_ARRAYS.length);
  /** A narrow-row view of one element (ship NULL: the chunk's ship keys every message), for decodeNarrowRow. */
  private readonly view: RawFields = { buf: Buffer.alloc(0), starts: new Int32Array(8), lengths: new Int32Array(8) };
  rows = 0;

  constructor(builder: FillBuilder, handlers: GroupHandlers) {
    this.builder = builder;
    this.handlers = handlers;
  }

  /** One group tuple (synchronous; its fields are valid only during the call). */
  readonly group = (f: RawFields): void => {
    const { buf, starts, lengths } = f;
    const n = this.open(f);
    const format = lengths[FORMAT]! < 0 ? -1 : formatCode(buf, starts[FORMAT]!, lengths[FORMAT]!);
    const values = format < 0 ? -1 : VALUE_ARRAY[format]! - TIMES;
    const builder = this.builder;
    // -2: not resolved yet. A channel's column is made by its first regular cell, as in the row path.
    let col = lengths[CHANNEL]! < 0 || format < 0 ? -1 : -2;
    for (let i = 0; i < n; i++) {
      this.seek(buf, 0, i);
      const ts = this.lastStart[0]!;
      const tn = this.lastLength[0]!;
      if (col !== -1) {
        this.seek(buf, values, i);
        const vs = this.lastStart[values]!;
        const vn = this.lastLength[values]!;
        if (builder.regularCell(buf, format, ts, tn, vs, vn)) {
          if (col === -2) col = builder.columnOf(buf, starts[CHANNEL]!, lengths[CHANNEL]!, format);
          if (col >= 0 && builder.place(buf, col, format, ts, vs, vn)) {
            if (builder.full) this.handlers.onFull();
            continue;
          }
        }
      }
      this.handlers.onIrregular(this.decode(f, i, ts, tn));
    }
    if (this.at[0] !== this.ends[0]) throw new BackfillError('decode_failed', 'grouped COPY: created_time array is longer than its elements');
    this.rows += n;
  };

  /** Checks the five array headers (one dimension, the same length, the expected element type); returns the length. */
  private open(f: RawFields): number {
    const { buf, starts, lengths } = f;
    if (starts.length !== GROUPED_FIELDS) throw new BackfillError('decode_failed', `grouped COPY tuple has ${starts.length} fields, expected ${GROUPED_FIELDS}`);
    let n = -1;
    for (let k = 0; k < GROUPED_ARRAYS.length; k++) {
      const s = starts[TIMES + k]!;
      const len = lengths[TIMES + k]!;
      const [column, , oid] = GROUPED_ARRAYS[k]!;
      if (len < 20 || buf.readInt32BE(s) !== 1 || buf.readInt32BE(s + 8) !== oid) throw new BackfillError('decode_failed', `grouped COPY: ${column} is not a one-dimensional array of its type`);
      const size = buf.readInt32BE(s + 12);
      if (n >= 0 && size !== n) throw new BackfillError('decode_failed', `grouped COPY: ${column} has ${size} elements, created_time ${n}`);
      n = size;
      this.at[k] = s + 20;
      this.index[k] = 0;
      this.ends[k] = s + len;
    }
    return n;
  }

  /** Element i as a narrow row (every column, as read), walking the arrays the loop did not need up to it. */
  private decode(f: RawFields, i: number, ts: number, tn: number): NarrowRow {
    const { buf, starts, lengths } = f;
    const view = this.view;
    view.buf = buf;
    view.lengths[0] = -1;
    view.starts[1] = starts[CHANNEL]!;
    view.lengths[1] = lengths[CHANNEL]!;
    view.starts[3] = starts[FORMAT]!;
    view.lengths[3] = lengths[FORMAT]!;
    view.starts[2] = ts;
    view.lengths[2] = tn;
    for (let k = 1; k < GROUPED_ARRAYS.length; k++) {
      this.seek(buf, k, i);
      view.starts[NARROW_POSITION[k]!] = this.lastStart[k]!;
      view.lengths[NARROW_POSITION[k]!] = this.lastLength[k]!;
    }
    return decodeNarrowRow(view);
  }

  /** Moves array k's cursor just past element i (never backwards), noting where element i lies. */
  private seek(buf: Buffer, k: number, i: number): void {
    let p = this.at[k]!;
    for (let j = this.index[k]!; j <= i; j++) {
      const len = buf.readInt32BE(p);
      this.lastStart[k] = p + 4;
      this.lastLength[k] = len;
      p += 4 + (len > 0 ? len : 0);
    }
    if (p > this.ends[k]!) throw new BackfillError('decode_failed', `grouped COPY: ${GROUPED_ARRAYS[k]![0]} array ends mid-element`);
    this.at[k] = p;
    this.index[k] = Math.max(this.index[k]!, i + 1);
  }
}
