import type { RawFields } from './binary-copy.ts';
import { FIRST_CAPACITY, freshArrays, grown, nextCapacity, NO_ARRAYS, type FillArrays } from './fill-arrays.ts';
import { CellDuplicates } from './fill-duplicates.ts';

/**
 * Collects a chunk's REGULAR narrow rows as cells, straight from the binary COPY buffers, for the columnar
 * encoding (events `FillBlock`). The profile of the cell-per-record encoding showed Avro, Buffer churn and GC
 * per cell, so nothing here allocates per row (a String value's string aside): values are copied as raw
 * big-endian bytes into typed arrays (PostgreSQL's binary format is already the block's byte order), a channel
 * is decoded once per chunk, and times are mapped to row ids. chunk-messages.ts turns the cells into blocks.
 *
 * A row is REGULAR when it is exactly what a block can say: channel not NULL and without NUL; created_time
 * not NULL (nor from ~294247 AD on, where Unix microseconds overflow int64); value_format one of the four; the
 * value column it names not NULL (a String without NUL); the channel not seen earlier in the chunk with another
 * format (a block column has one format); and its (channel, time) cell not already held (a block has one cell
 * per channel and time). `add` returns false for any other row; the caller sends it in cell form, as read, so
 * the pivot treats it exactly as the same live row.
 */

/** Block formats by code; a code indexes these. */
export const FILL_FORMATS = ['Decimal', 'Integer', 'String', 'Boolean'] as const;
export type FillFormat = (typeof FILL_FORMATS)[number];
const DECIMAL = 0;
const INTEGER = 1;
const STRING = 2;
const BOOLEAN = 3;
const FORMAT_BYTES = FILL_FORMATS.map((f) => Buffer.from(f, 'latin1'));
/** The NARROW_SELECT column holding each format's value. */
const VALUE_FIELD = [4, 5, 6, 7];

// NARROW_SELECT positions.
const CHANNEL = 1;
const TIME = 2;
const FORMAT = 3;

const TWO_32 = 4294967296;
const PG_EPOCH_US = 946_684_800_000_000; // 2000-01-01 in Unix microseconds
const EPOCH_HI = Math.floor(PG_EPOCH_US / TWO_32);
const EPOCH_LO = PG_EPOCH_US - EPOCH_HI * TWO_32;
/** The words of 2^63 - 1 - PG_EPOCH_US: the PostgreSQL time whose Unix microseconds are int64's maximum. */
const LAST_HI = 2147263230;
const LAST_LO = 3301449727;

/** Approximate bytes held per cell (column, row id, 8 value bytes), per time (two words, a Map entry), per string (object). */
const CELL_BYTES = 16;
const TIME_BYTES = 72;
const STRING_BYTES = 32;

export interface FillCaps {
  /** Take the cells once this many are held (also the bound of row ids, which key the duplicate check). */
  maxCells: number;
  /** ... or once about this many bytes are held: strings have no size limit, a cell count alone bounds nothing. */
  maxBytes: number;
}

/**
 * The default caps: 4 × the planned chunk rows (a chunk whose estimate was off by up to 4× still makes one set
 * of blocks), at least 10,000, at most 1,000,000 cells; and 64 MiB (a few hundred kB per 10,000 cells without
 * strings, so the byte cap only bites for long strings or a cell per time). Per worker.
 */
export function defaultFillCaps(chunkRows: number): FillCaps {
  return { maxCells: Math.min(1_000_000, Math.max(10_000, 4 * chunkRows)), maxBytes: 64 * 1024 * 1024 };
}

/**
 * Cells taken from the builder. Cell g: column `cellCol[g]` (an index into `channels` / `formats`), time
 * `cellRow[g]` (an index into `timeHi` / `timeLo`: int64 microseconds since the Unix epoch, ±infinity kept as
 * the int64 extremes), value at bytes 8g.. of `vals` (Decimal/Integer 8 bytes big-endian, Boolean one byte
 * 0/1) or, for String, `strings[vals32[2g]]` of `vals32[2g + 1]` UTF-8 bytes. Times are distinct, in the
 * order first seen. No column has two cells at one time.
 */
export interface FillCells {
  cells: number;
  times: number;
  cellCol: Int32Array;
  cellRow: Int32Array;
  vals: Uint8Array;
  vals32: Uint32Array;
  strings: string[];
  timeHi: Int32Array;
  timeLo: Uint32Array;
  channels: readonly string[];
  /** UTF-8 bytes of each channel. */
  channelBytes: readonly number[];
  formats: readonly number[];
  /** The builder's whole arrays behind these views, until `FillBuilder.recycle` hands them on. */
  arrays?: FillArrays | undefined;
}

export class FillBuilder {
  private readonly caps: FillCaps;
  // Columns live for the whole chunk: the first regular format of a channel is its format in every block.
  private readonly channels: string[] = [];
  private readonly channelUtf8: Buffer[] = [];
  private readonly formats: number[] = [];
  /** Per column, the column whose row followed it last time: time-major streams repeat one channel order. */
  private readonly successor: number[] = [];
  private readonly columnByName = new Map<string, number>();
  private prevCol = -1;

  /**
   * Arrays of taken cells that were sent (`recycle`), for the next take: each take grew fresh arrays by doubling
   * from FIRST_CAPACITY, ~30 bytes of off-heap garbage per cell (~30 MiB per 1M rows), held until the chunk's
   * messages were sent and so outliving young-generation collections. Shared by the job's builders: the arrays
   * keep the size the largest take needed.
   */
  private readonly spare: FillArrays[];
  // Empty until the first cell: then the arrays come from `spare` (or are made), see loadSpare().
  private cellCol = NO_ARRAYS.cellCol;
  private cellRow = NO_ARRAYS.cellRow;
  private vals = NO_ARRAYS.vals;
  private vals32 = new Uint32Array(this.vals.buffer);
  private strings: string[] = [];
  private timeHi = NO_ARRAYS.timeHi;
  private timeLo = NO_ARRAYS.timeLo;
  /** Raw PostgreSQL time (a number while exact, else a bigint) to row id. */
  private rowOf = new Map<number | bigint, number>();
  /** Per row, its raw PostgreSQL time words (to check a prediction) and the row that followed it last time. */
  private rawHi = NO_ARRAYS.rawHi;
  private rawLo = NO_ARRAYS.rawLo;
  private nextRow = NO_ARRAYS.nextRow;
  private prevRow = -1;
  /** No column holds two cells at one time (fill-duplicates.ts). */
  private readonly duplicates: CellDuplicates;

  /** The words (hi, lo) of the time regularCell() accepted last, decoded once for place(). */
  private readonly timeWords = new Int32Array(2);

  private count = 0;
  private rows = 0;
  private held = 0;

  constructor(caps: FillCaps, spare: FillArrays[] = []) {
    if (!(caps.maxCells >= 1) || !(caps.maxBytes >= 1)) throw new RangeError(`fill caps must be positive (got ${caps.maxCells} cells, ${caps.maxBytes} bytes)`);
    this.caps = caps;
    this.spare = spare;
    // Row ids stay below maxCells: each was created by a cell.
    this.duplicates = new CellDuplicates(caps.maxCells);
  }

  /**
   * The taken `cells` are no longer read (every message built from them is encoded: blocks copy what they
   * carry): their arrays serve a later take. Once only; the cells must not be read afterwards.
   */
  recycle(cells: FillCells): void {
    const arrays = cells.arrays;
    cells.arrays = undefined;
    // A take of nothing hands over NO_ARRAYS: loaded again, their zero length would never grow.
    if (arrays && arrays.cellCol.length > 0 && arrays.timeHi.length > 0) this.spare.push(arrays);
  }

  /** Cells held. */
  get cells(): number {
    return this.count;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.held;
  }

  /** A cap is reached: take() before adding more. */
  get full(): boolean {
    return this.count >= this.caps.maxCells || this.held >= this.caps.maxBytes;
  }

  /** Adds a regular row as a cell and returns true; returns false (holding nothing of it) for any other row. */
  add(f: RawFields): boolean {
    const { buf, starts, lengths } = f;
    const format = formatCode(buf, starts[FORMAT]!, lengths[FORMAT]!);
    if (format < 0) return false;
    const vs = starts[VALUE_FIELD[format]!]!;
    const vn = lengths[VALUE_FIELD[format]!]!;
    if (!this.regularCell(buf, format, starts[TIME]!, lengths[TIME]!, vs, vn)) return false;
    const col = this.columnOf(buf, starts[CHANNEL]!, lengths[CHANNEL]!, format);
    return col >= 0 && this.place(buf, col, format, starts[TIME]!, vs, vn);
  }

  /**
   * Whether a time (bytes ts.., length tn) and a value of `format` (vs.., length vn) can be a block cell: the
   * time not NULL nor from ~294247 AD on, the value not NULL and of its format's width (a String without NUL).
   */
  regularCell(buf: Buffer, format: number, ts: number, tn: number, vs: number, vn: number): boolean {
    if (tn !== 8) return false;
    if (format === STRING ? vn < 0 || hasNul(buf, vs, vn) : vn !== (format === BOOLEAN ? 1 : 8)) return false;
    const hi = (buf[ts]! << 24) | (buf[ts + 1]! << 16) | (buf[ts + 2]! << 8) | buf[ts + 3]!;
    const lo = ((buf[ts + 4]! << 24) | (buf[ts + 5]! << 16) | (buf[ts + 6]! << 8) | buf[ts + 7]!) >>> 0;
    // From ~294247 AD on (infinity aside) a time has no int64 Unix microseconds other than infinity's (the last
    // one would equal it, and two times of a block must differ): cell form, as today.
    if (hi === LAST_HI ? lo >= LAST_LO : hi > LAST_HI && !(hi === 0x7fffffff && lo === 0xffffffff)) return false;
    this.timeWords[0] = hi;
    this.timeWords[1] = lo;
    return true;
  }

  /**
   * Holds a cell of column `col` (from columnOf) at the time regularCell() accepted last, with its value, and
   * returns true; false when the column already holds a cell at that time (the row then goes in cell form).
   */
  place(buf: Buffer, col: number, format: number, ts: number, vs: number, vn: number): boolean {
    if (this.full) throw new RangeError('fill builder is full: take() its cells first');
    const row = this.row(buf, ts, this.timeWords[0]!, this.timeWords[1]! >>> 0);
    if (this.duplicates.check(col, row, this.timeWords[0]!, this.timeWords[1]! >>> 0, this.cellCol, this.cellRow, this.count)) return false;

    const g = this.count;
    if (g === this.cellCol.length) this.growCells();
    this.cellCol[g] = col;
    this.cellRow[g] = row;
    const v = this.vals;
    const o = g * 8;
    if (format === DECIMAL || format === INTEGER) {
      // The 8 bytes as PostgreSQL sent them: big-endian is the block's order too, so nothing is decoded.
      copy8(v, o, buf, vs);
    } else if (format === BOOLEAN) {
      v[o] = buf[vs] === 0 ? 0 : 1; // as decodeNarrowRow reads it: any non-zero byte is true
    } else {
      this.vals32[g * 2] = this.strings.length;
      this.vals32[g * 2 + 1] = vn;
      this.strings.push(buf.toString('utf8', vs, vs + vn));
      this.held += vn + STRING_BYTES;
    }
    this.count = g + 1;
    this.held += CELL_BYTES;
    return true;
  }

  /** Hands over the held cells and starts empty (the chunk's columns and their formats stay). */
  take(): FillCells {
    const n = this.count;
    const taken: FillCells = {
      cells: n,
      times: this.rows,
      cellCol: this.cellCol.subarray(0, n),
      cellRow: this.cellRow.subarray(0, n),
      vals: this.vals.subarray(0, n * 8),
      vals32: this.vals32.subarray(0, n * 2),
      strings: this.strings,
      timeHi: this.timeHi.subarray(0, this.rows),
      timeLo: this.timeLo.subarray(0, this.rows),
      channels: this.channels.slice(),
      channelBytes: this.channelUtf8.map((b) => b.length),
      formats: this.formats.slice(),
      arrays: { cellCol: this.cellCol, cellRow: this.cellRow, vals: this.vals, timeHi: this.timeHi, timeLo: this.timeLo, rawHi: this.rawHi, rawLo: this.rawLo, nextRow: this.nextRow },
    };
    this.load(NO_ARRAYS);
    this.strings = [];
    this.rowOf = new Map();
    this.prevRow = -1;
    this.duplicates.reset();
    this.count = 0;
    this.rows = 0;
    this.held = 0;
    return taken;
  }

  /** The column of the channel at bytes s.. and this format, created on first sight; -1 when it cannot hold the cell. */
  columnOf(buf: Buffer, s: number, n: number, format: number): number {
    if (n < 0) return -1;
    let c = this.prevCol;
    if (c < 0 || !sameBytes(buf, s, n, this.channelUtf8[c]!)) {
      // Rows usually come channel-major (same channel as the previous row) or time-major (channels in the
      // same order at every time): try the previous column, then its successor, before decoding the bytes.
      const next = c < 0 ? -1 : this.successor[c]!;
      const found = next >= 0 && sameBytes(buf, s, n, this.channelUtf8[next]!) ? next : this.lookup(buf, s, n, format);
      if (found < 0) return -1;
      if (c >= 0) this.successor[c] = found;
      c = found;
    }
    this.prevCol = c;
    return this.formats[c] === format ? c : -1;
  }

  private lookup(buf: Buffer, s: number, n: number, format: number): number {
    const channel = buf.toString('utf8', s, s + n);
    const known = this.columnByName.get(channel);
    if (known !== undefined) return known;
    if (hasNul(buf, s, n)) return -1;
    const c = this.channels.length;
    this.channels.push(channel);
    this.channelUtf8.push(Buffer.from(buf.subarray(s, s + n)));
    this.formats.push(format);
    this.successor.push(-1);
    this.columnByName.set(channel, c);
    this.duplicates.addColumn(c);
    return c;
  }

  /** The row id of the time at `s` (its words hi, lo), created on first sight. */
  private row(buf: Buffer, s: number, hi: number, lo: number): number {
    const prev = this.prevRow;
    if (prev >= 0 && hi === this.rawHi[prev] && lo === (this.rawLo[prev]! >>> 0)) return prev;
    // Channel-major streams repeat one sequence of times per channel: try the row that followed the previous
    // one last time before hashing the time (the Map lookup was a top cost of the builder).
    const guess = prev >= 0 ? this.nextRow[prev]! : -1;
    let r: number;
    if (guess >= 0 && hi === this.rawHi[guess] && lo === (this.rawLo[guess]! >>> 0)) r = guess;
    else {
      // |hi| < 2^21 keeps hi * 2^32 + lo exact; beyond (±infinity, far dates) the bigint is the key.
      const key = hi < 0x200000 && hi >= -0x200000 ? hi * TWO_32 + lo : buf.readBigInt64BE(s);
      r = this.rowOf.get(key) ?? this.newRow(key, hi, lo);
      if (prev >= 0) this.nextRow[prev] = r;
    }
    this.prevRow = r;
    return r;
  }

  private newRow(key: number | bigint, hi: number, lo: number): number {
    const r = this.rows++;
    if (r === this.timeHi.length) this.growRows();
    this.rawHi[r] = hi;
    this.rawLo[r] = lo;
    this.nextRow[r] = -1;
    if ((hi === 0x7fffffff && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0)) {
      // ±infinity: the int64 extremes, unshifted, exactly as timestampUs() keeps them.
      this.timeHi[r] = hi;
      this.timeLo[r] = lo;
    } else {
      // Microseconds since 2000 to since 1970 in two words; PostgreSQL's timestamp range (up to 294276 AD)
      // keeps the high word far from overflowing.
      let l = lo + EPOCH_LO;
      let h = hi + EPOCH_HI;
      if (l >= TWO_32) {
        l -= TWO_32;
        h += 1;
      }
      this.timeHi[r] = h;
      this.timeLo[r] = l;
    }
    this.rowOf.set(key, r);
    this.held += TIME_BYTES;
    return r;
  }

  private load(a: FillArrays): void {
    this.cellCol = a.cellCol;
    this.cellRow = a.cellRow;
    this.vals = a.vals;
    this.vals32 = new Uint32Array(a.vals.buffer, a.vals.byteOffset, a.vals.length >> 2);
    this.timeHi = a.timeHi;
    this.timeLo = a.timeLo;
    this.rawHi = a.rawHi;
    this.rawLo = a.rawLo;
    this.nextRow = a.nextRow;
  }

  /** After a take (or at the start) the arrays are empty: a spare set, or a fresh one. Every slot is written before it is read. */
  private loadSpare(): boolean {
    if (this.cellCol.length > 0 || this.timeHi.length > 0) return false;
    this.load(this.spare.pop() ?? freshArrays());
    return true;
  }

  private growCells(): void {
    if (this.loadSpare() && this.count < this.cellCol.length) return;
    const size = nextCapacity(this.cellCol.length, Math.max(this.caps.maxCells, FIRST_CAPACITY));
    this.cellCol = grown(this.cellCol, size);
    this.cellRow = grown(this.cellRow, size);
    this.vals = grown(this.vals, size * 8);
    this.vals32 = new Uint32Array(this.vals.buffer);
  }

  private growRows(): void {
    if (this.loadSpare() && this.rows < this.timeHi.length) return;
    const size = nextCapacity(this.timeHi.length);
    this.timeHi = grown(this.timeHi, size);
    this.timeLo = grown(this.timeLo, size);
    this.rawHi = grown(this.rawHi, size);
    this.rawLo = grown(this.rawLo, size);
    this.nextRow = grown(this.nextRow, size);
  }
}

/**
 * Copies 8 bytes (a float8 or int8 value, big-endian as PostgreSQL sends it and as the block keeps it).
 * Byte by byte on purpose: `set(subarray(...))` or `Buffer.copy` allocate or cross into C++ per value, which
 * costs more than eight array stores for one cell.
 */
export function copy8(dst: Uint8Array, at: number, src: Uint8Array, from: number): void {
  dst[at] = src[from]!;
  dst[at + 1] = src[from + 1]!;
  dst[at + 2] = src[from + 2]!;
  dst[at + 3] = src[from + 3]!;
  dst[at + 4] = src[from + 4]!;
  dst[at + 5] = src[from + 5]!;
  dst[at + 6] = src[from + 6]!;
  dst[at + 7] = src[from + 7]!;
}

/** The code of the value_format text at `s` (one of the four, byte for byte), or -1. */
export function formatCode(buf: Buffer, s: number, n: number): number {
  let code: number;
  if (n === 6) code = STRING;
  else if (n !== 7) return -1;
  else {
    const first = buf[s];
    code = first === 0x44 ? DECIMAL : first === 0x49 ? INTEGER : first === 0x42 ? BOOLEAN : -1;
    if (code < 0) return -1;
  }
  const want = FORMAT_BYTES[code]!;
  for (let i = 0; i < n; i++) if (buf[s + i] !== want[i]) return -1;
  return code;
}

/** Whether bytes s..s+n hold a NUL (UTF-8 encodes U+0000, and only it, as a zero byte). */
function hasNul(buf: Buffer, s: number, n: number): boolean {
  if (n <= 0) return false;
  const z = buf.indexOf(0, s);
  return z >= 0 && z < s + n;
}

/** Whether bytes s..s+n equal `b`; compared from the end, where channel ids sharing a long prefix differ. */
function sameBytes(buf: Buffer, s: number, n: number, b: Buffer): boolean {
  if (b.length !== n) return false;
  for (let i = n - 1; i >= 0; i--) if (buf[s + i] !== b[i]) return false;
  return true;
}
