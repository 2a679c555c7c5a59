import type { Change, FillBlock, FillColumn, Long } from './types.ts';
import type { CellValue, ValueFormat } from './values.ts';

// The block's layout is the Avro doc of `fillBlockSchema` (schemas.ts); docs/architecture.md, "The event contract" explains it.

const TWO_32 = 2 ** 32;
const SAFE_HIGH = 2 ** 21; // |hi| < 2^21 keeps hi * 2^32 + lo exact as a number
const INT64_MIN = -9223372036854775808n;
/** PostgreSQL's earliest timestamptz in Unix microseconds (every int64 above it is in range once shifted to 2000). */
const MIN_TIMESTAMPTZ_US = -210866803200000000n;
const VALUE_BYTES: Record<ValueFormat, number> = { Decimal: 8, Integer: 8, Boolean: 1, String: 0 };

/** An int64 big-endian at `at`: a number where exact, a bigint beyond 2^53 (as the Avro long of the contract). */
export function readInt64BE(buf: Buffer, at: number): Long {
  const hi = buf.readInt32BE(at);
  if (hi > -SAFE_HIGH && hi < SAFE_HIGH) return hi * TWO_32 + buf.readUInt32BE(at + 4);
  const v = buf.readBigInt64BE(at);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

export function writeInt64BE(buf: Buffer, v: Long, at: number): void {
  if (typeof v === 'bigint') {
    buf.writeBigInt64BE(v, at);
    return;
  }
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

/** The block's times, in order. */
export function fillTimes(block: FillBlock): Long[] {
  const n = block.times_us.length >> 3;
  const out: Long[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readInt64BE(block.times_us, i * 8);
  return out;
}

export function isPresent(present: Buffer, i: number): boolean {
  return (present[i >> 3]! & (1 << (i & 7))) !== 0;
}

function popcount(bits: Buffer): number {
  let n = 0;
  for (const byte of bits) {
    let b = byte;
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

/**
 * Why a block cannot be applied, or null when it is well formed. The pivot parks a message whose block
 * fails this (a hostile or corrupted producer), instead of guessing what a malformed block meant.
 */
export function fillBlockProblem(block: FillBlock): string | null {
  const t = block.times_us;
  if (t.length % 8 !== 0) return `times_us has ${t.length} bytes, not a multiple of 8`;
  const rows = t.length >> 3;
  // Times ascend, so only the first can be below what timestamptz holds (4714-11-24 BC); -infinity is the int64 minimum.
  if (rows > 0) {
    const first = t.readBigInt64BE(0);
    if (first !== INT64_MIN && first < MIN_TIMESTAMPTZ_US) return `times_us starts at ${first} µs, before the earliest timestamptz (4714-11-24 BC)`;
  }
  for (let i = 1; i < rows; i++) {
    const a = t.readBigInt64BE((i - 1) * 8);
    const b = t.readBigInt64BE(i * 8);
    if (b <= a) return `times_us is not strictly ascending at index ${i}`;
  }
  const bitmapBytes = (rows + 7) >> 3;
  const seen = new Set<string>();
  for (let c = 0; c < block.columns.length; c++) {
    const col = block.columns[c]!;
    const problem = columnProblem(col, rows, bitmapBytes, seen);
    if (problem !== null) return `column ${c} (${JSON.stringify(col.data_channel_id.slice(0, 200))}): ${problem}`;
  }
  return null;
}

/** What is wrong with one column of a block, or null (its name is only formatted for a problem: 5,000 per block). */
function columnProblem(col: FillColumn, rows: number, bitmapBytes: number, seen: Set<string>): string | null {
  if (col.data_channel_id.includes('\u0000')) return 'data_channel_id contains NUL';
  if (seen.has(col.data_channel_id)) return 'channel appears twice in the block';
  seen.add(col.data_channel_id);
  if (col.present.length !== bitmapBytes) return `present has ${col.present.length} bytes, expected ${bitmapBytes} for ${rows} times`;
  if (rows % 8 !== 0 && bitmapBytes > 0 && col.present[bitmapBytes - 1]! >> (rows % 8) !== 0) return 'present has bits past the last time';
  const cells = popcount(col.present);
  const width = VALUE_BYTES[col.value_format];
  if (col.values.length !== cells * width) return `${col.values.length} value bytes for ${cells} ${col.value_format} cells`;
  if (col.value_format === 'String') {
    if (col.strings.length !== cells) return `${col.strings.length} strings for ${cells} cells`;
    if (col.strings.some((s) => s.includes('\u0000'))) return 'a string contains NUL';
  } else if (col.strings.length !== 0) return `strings given for a ${col.value_format} column`;
  if (col.value_format === 'Boolean' && col.values.some((b) => b > 1)) return 'a Boolean byte is not 0 or 1';
  return null;
}

export interface FillCell {
  channel: string;
  timeUs: Long;
  value: CellValue;
}

/** The value of a column's k-th present cell. */
export function fillValue(col: FillColumn, k: number): CellValue {
  switch (col.value_format) {
    case 'Decimal':
      return { format: 'Decimal', value: col.values.readDoubleBE(k * 8) };
    case 'Integer':
      return { format: 'Integer', value: readInt64BE(col.values, k * 8) };
    case 'Boolean':
      return { format: 'Boolean', value: col.values[k] === 1 };
    case 'String':
      return { format: 'String', value: col.strings[k]! };
  }
}

/** Every cell of a well-formed block, column by column, in time order (the readable, slow way). */
export function* fillCells(block: FillBlock): Generator<FillCell> {
  const times = fillTimes(block);
  for (const col of block.columns) {
    let k = 0;
    for (let i = 0; i < times.length; i++) {
      if (!isPresent(col.present, i)) continue;
      yield { channel: col.data_channel_id, timeUs: times[i]!, value: fillValue(col, k++) };
    }
  }
}

/**
 * The block as the BACKFILL changes it stands for (value in the column its format names, the others NULL),
 * for consumers that want the per-cell view and for tests that compare both encodings.
 */
export function fillChanges(block: FillBlock): Change[] {
  return [...fillCells(block)].map(({ channel, timeUs, value }) => ({
    op: 'BACKFILL',
    data_channel_id: channel,
    created_time_us: timeUs,
    value_format: value.format,
    double_v: value.format === 'Decimal' ? value.value : null,
    long_v: value.format === 'Integer' ? value.value : null,
    str_v: value.format === 'String' ? value.value : null,
    bool_v: value.format === 'Boolean' ? value.value : null,
    old: null,
  }));
}

/**
 * A block from cells (the reference encoder: clear rather than fast; the backfill has its own streaming
 * builder and its tests compare the two). Columns in order of first appearance; one cell per (channel, time)
 * and one format per channel, or it throws.
 */
export function buildFillBlock(cells: Iterable<FillCell>): FillBlock {
  const list = [...cells];
  const times = [...new Set(list.map((c) => BigInt(c.timeUs)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(times.map((t, i) => [t, i]));
  const columns = new Map<string, { format: ValueFormat; cells: Map<number, CellValue> }>();
  for (const c of list) {
    let col = columns.get(c.channel);
    if (!col) columns.set(c.channel, (col = { format: c.value.format, cells: new Map() }));
    if (col.format !== c.value.format) throw new Error(`channel ${JSON.stringify(c.channel)} has two formats in one block`);
    const i = rank.get(BigInt(c.timeUs))!;
    if (col.cells.has(i)) throw new Error(`two cells for channel ${JSON.stringify(c.channel)} at ${c.timeUs}`);
    col.cells.set(i, c.value);
  }
  const timesBuf = Buffer.alloc(times.length * 8);
  times.forEach((t, i) => timesBuf.writeBigInt64BE(t, i * 8));
  const out: FillColumn[] = [];
  for (const [channel, col] of columns) {
    const present = Buffer.alloc((times.length + 7) >> 3);
    const order = [...col.cells.keys()].sort((a, b) => a - b);
    const values = Buffer.alloc(order.length * VALUE_BYTES[col.format]);
    const strings: string[] = [];
    order.forEach((i, k) => {
      present[i >> 3] = present[i >> 3]! | (1 << (i & 7));
      const v = col.cells.get(i)!;
      if (v.format === 'Decimal') values.writeDoubleBE(v.value, k * 8);
      else if (v.format === 'Integer') writeInt64BE(values, v.value, k * 8);
      else if (v.format === 'Boolean') values[k] = v.value ? 1 : 0;
      else strings.push(v.value);
    });
    out.push({ data_channel_id: channel, value_format: col.format, present, values, strings });
  }
  return { times_us: timesBuf, columns: out };
}
