import type { FillBlock, FillColumn } from '@fleetpivot/events';
import { copy8, FILL_FORMATS, type FillCells } from './fill-builder.ts';

/**
 * Cuts collected cells (fill-builder.ts) into blocks, one per Kafka message: times sorted, each message a run
 * of consecutive times whose encoded size stays under `maxBytes` and whose cells number at most `maxCells`.
 * A single time whose cells alone exceed either is split by columns over several messages (the consumer takes
 * the same time in several blocks: fills commute). Blocks are built one at a time, as the caller asks for the
 * next, into two buffers per message (bitmaps, values), never a Buffer per cell.
 */

export interface MessageCaps {
  /** Cells per message (batchMaxChanges). */
  maxCells: number;
  /** Bytes the block may take in the encoded message (batchMaxBytes less the rest of the message). */
  maxBytes: number;
}

export interface FillMessage {
  block: FillBlock;
  /** Narrow rows (cells) the block carries. */
  cells: number;
}

const DECIMAL = FILL_FORMATS.indexOf('Decimal');
const INTEGER = FILL_FORMATS.indexOf('Integer');
const STRING = FILL_FORMATS.indexOf('String');

// Upper bounds of the Avro encoding beyond the payload bytes: the block (union index, times length, columns
// array count and end) and each column (channel length, format enum, present / values lengths, strings count
// and end).
const BLOCK_FIXED = 16;
const COLUMN_FIXED = 20;

/** Bytes of an Avro length (a zigzag varint) for n >= 0. */
function lengthBytes(n: number): number {
  return n < 64 ? 1 : n < 8192 ? 2 : n < 1048576 ? 3 : n < 134217728 ? 4 : 5;
}

export function* fillMessages(c: FillCells, caps: MessageCaps): Generator<FillMessage> {
  if (c.cells === 0) return;
  const { order, rank } = sortTimes(c);
  const R = c.times;
  // Cells grouped by time rank (a counting sort, stable): each column's cells come out in time order.
  const start = new Int32Array(R + 1);
  for (let g = 0; g < c.cells; g++) start[rank[c.cellRow[g]!]! + 1]!++;
  for (let r = 0; r < R; r++) start[r + 1]! += start[r]!;
  const next = start.slice(0, R);
  const byTime = new Int32Array(c.cells);
  for (let g = 0; g < c.cells; g++) byTime[next[rank[c.cellRow[g]!]!]!++] = g;

  const columns = c.channels.length;
  const columnFixed = new Float64Array(columns);
  for (let k = 0; k < columns; k++) columnFixed[k] = c.channelBytes[k]! + lengthBytes(c.channelBytes[k]!) + COLUMN_FIXED;
  const valueBytes = (g: number): number => {
    const f = c.formats[c.cellCol[g]!]!;
    if (f === DECIMAL || f === INTEGER) return 8;
    if (f !== STRING) return 1;
    const n = c.vals32[g * 2 + 1]!;
    return n + lengthBytes(n);
  };
  const builder = new BlockBuilder(c, order, rank, byTime);

  // The message being cut: positions [from, r's start) of byTime; its times, columns and estimated bytes.
  const inMessage = new Int32Array(columns).fill(-1);
  let message = 0;
  let from = 0;
  let times = 0;
  let cols = 0;
  let fixed = BLOCK_FIXED;
  let values = 0;
  const size = (t: number, k: number, f: number, v: number) => f + 8 * t + k * ((t + 7) >> 3) + v;
  for (let r = 0; r < R; r++) {
    const a = start[r]!;
    const b = start[r + 1]!;
    for (;;) {
      let newCols = 0;
      let newFixed = 0;
      let v = 0;
      for (let p = a; p < b; p++) {
        const g = byTime[p]!;
        const k = c.cellCol[g]!;
        if (inMessage[k] !== message) {
          newCols++;
          newFixed += columnFixed[k]!;
        }
        v += valueBytes(g);
      }
      if (a - from + (b - a) <= caps.maxCells && size(times + 1, cols + newCols, fixed + newFixed, values + v) <= caps.maxBytes) {
        for (let p = a; p < b; p++) inMessage[c.cellCol[byTime[p]!]!] = message;
        times++;
        cols += newCols;
        fixed += newFixed;
        values += v;
        break;
      }
      if (times > 0) {
        // The message is full before this time: send it and try the time again in a fresh one.
        yield builder.build(from, a);
        message++;
        from = a;
        times = 0;
        cols = 0;
        fixed = BLOCK_FIXED;
        values = 0;
        continue;
      }
      // This time alone exceeds a cap: split it by columns (each message one time, each cell its own column).
      let piece = a;
      let pieceSize = BLOCK_FIXED + 8;
      for (let p = a; p < b; p++) {
        const g = byTime[p]!;
        const add = columnFixed[c.cellCol[g]!]! + 1 + valueBytes(g);
        if (p > piece && (p - piece + 1 > caps.maxCells || pieceSize + add > caps.maxBytes)) {
          yield builder.build(piece, p);
          piece = p;
          pieceSize = BLOCK_FIXED + 8;
        }
        pieceSize += add;
      }
      yield builder.build(piece, b);
      message++;
      from = b;
      break;
    }
  }
  if (from < c.cells) yield builder.build(from, c.cells);
}

/** Times in ascending order (`order`: rank to row id) and each row id's rank; no sort when they came ascending. */
function sortTimes(c: FillCells): { order: Uint32Array; rank: Int32Array } {
  const R = c.times;
  const hi = c.timeHi;
  const lo = c.timeLo;
  const order = new Uint32Array(R);
  let ascending = true;
  for (let r = 0; r < R; r++) {
    order[r] = r;
    if (r > 0 && (hi[r]! < hi[r - 1]! || (hi[r] === hi[r - 1] && lo[r]! < lo[r - 1]!))) ascending = false;
  }
  if (!ascending) order.sort((x, y) => hi[x]! - hi[y]! || lo[x]! - lo[y]!);
  const rank = new Int32Array(R);
  for (let i = 0; i < R; i++) rank[order[i]!] = i;
  return { order, rank };
}

/** Builds the block of positions [from, to) of `byTime` (whole times, or part of one time's cells). */
class BlockBuilder {
  private readonly c: FillCells;
  private readonly order: Uint32Array;
  private readonly rank: Int32Array;
  private readonly byTime: Int32Array;
  /** Per column: the message that last gave it a slot, and that slot. */
  private readonly stamp: Int32Array;
  private readonly slotOf: Int32Array;
  private built = 0;

  constructor(c: FillCells, order: Uint32Array, rank: Int32Array, byTime: Int32Array) {
    this.c = c;
    this.order = order;
    this.rank = rank;
    this.byTime = byTime;
    this.stamp = new Int32Array(c.channels.length).fill(-1);
    this.slotOf = new Int32Array(c.channels.length);
  }

  build(from: number, to: number): FillMessage {
    const { c, order, rank, byTime, stamp, slotOf } = this;
    const id = this.built++;
    const first = rank[c.cellRow[byTime[from]!]!]!;
    const times = rank[c.cellRow[byTime[to - 1]!]!]! - first + 1;
    const timesUs = Buffer.allocUnsafe(times * 8);
    for (let i = 0; i < times; i++) {
      const row = order[first + i]!;
      timesUs.writeInt32BE(c.timeHi[row]!, i * 8);
      timesUs.writeUInt32BE(c.timeLo[row]!, i * 8 + 4);
    }
    // Slots in order of first appearance; each slot's cells and value bytes.
    const slotCol: number[] = [];
    const slotWidth: number[] = [];
    const slotCells: number[] = [];
    for (let p = from; p < to; p++) {
      const k = c.cellCol[byTime[p]!]!;
      if (stamp[k] !== id) {
        stamp[k] = id;
        slotOf[k] = slotCol.length;
        const f = c.formats[k]!;
        slotCol.push(k);
        slotWidth.push(f === DECIMAL || f === INTEGER ? 8 : f === STRING ? 0 : 1);
        slotCells.push(0);
      }
      slotCells[slotOf[k]!]!++;
    }
    const slots = slotCol.length;
    const bitmap = (times + 7) >> 3;
    const present = Buffer.alloc(slots * bitmap);
    const cursor = new Int32Array(slots);
    let total = 0;
    for (let s = 0; s < slots; s++) {
      cursor[s] = total;
      total += slotCells[s]! * slotWidth[s]!;
    }
    const values = Buffer.allocUnsafe(total);
    const strings: string[][] = slotCol.map(() => []);
    const v = c.vals;
    for (let p = from; p < to; p++) {
      const g = byTime[p]!;
      const s = slotOf[c.cellCol[g]!]!;
      const i = rank[c.cellRow[g]!]! - first;
      present[s * bitmap + (i >> 3)]! |= 1 << (i & 7);
      const w = slotWidth[s]!;
      if (w === 8) {
        const o = cursor[s]!;
        copy8(values, o, v, g * 8);
        cursor[s] = o + 8;
      } else if (w === 1) {
        values[cursor[s]!++] = v[g * 8]!;
      } else {
        strings[s]!.push(c.strings[c.vals32[g * 2]!]!);
      }
    }
    const columns: FillColumn[] = [];
    let at = 0;
    for (let s = 0; s < slots; s++) {
      const k = slotCol[s]!;
      const n = slotCells[s]! * slotWidth[s]!;
      columns.push({
        data_channel_id: c.channels[k]!,
        value_format: FILL_FORMATS[c.formats[k]!]!,
        present: present.subarray(s * bitmap, (s + 1) * bitmap),
        values: values.subarray(at, at + n),
        strings: strings[s]!,
      });
      at += n;
    }
    return { block: { times_us: timesUs, columns }, cells: to - from };
  }
}
