import { FIRST_CAPACITY, grown } from './fill-arrays.ts';

/** -infinity's high word: no time is earlier (a column holding nothing yet has it as its latest time). */
const MIN_HI = -0x80000000;
/** Columns that get a Set of their own, each built by a pass over the held cells; then one Set for all. */
const MAX_COLUMN_SETS = 16;

/**
 * The FillBuilder's check that no column holds two cells at one time. A row id above every id the column holds,
 * or a time after every time it holds, is new to it: while a column's ids or times arrive increasing, no Set is
 * needed. Times do in a chunk read in a channel's time order (grouped reads, channel-major tables) even where ids
 * do not: ids are given in first-seen order, so a channel holding a time the channels before it lacked (history
 * starting later for some series) gets an id above later times'. A column's first cell that is neither puts that
 * column's held cells into a Set of its own (long strings arrive one group per time, in hash order: only their
 * channels need one); past MAX_COLUMN_SETS such columns every held cell goes into one Set instead.
 */
export class CellDuplicates {
  /** Row ids are below this (each was created by a cell), so col * bound + row is a unique, exact key. */
  private readonly bound: number;
  /** Per column, the highest row id and the latest time (raw words) it holds. */
  private maxRow = new Int32Array(FIRST_CAPACITY);
  private maxHi = new Int32Array(FIRST_CAPACITY);
  private maxLo = new Uint32Array(FIRST_CAPACITY);
  private seenByColumn: (Set<number> | undefined)[] = [];
  private columnSets = 0;
  private seenAll: Set<number> | undefined;

  constructor(rowBound: number) {
    this.bound = rowBound;
  }

  /** Column c (the next one) holds nothing yet. */
  addColumn(c: number): void {
    if (c === this.maxRow.length) {
      this.maxRow = grown(this.maxRow, c * 2);
      this.maxHi = grown(this.maxHi, c * 2);
      this.maxLo = grown(this.maxLo, c * 2);
    }
    this.maxRow[c] = -1;
    this.maxHi[c] = MIN_HI;
    this.maxLo[c] = 0;
  }

  /** Every column holds nothing again (the builder's cells were taken). */
  reset(): void {
    this.seenByColumn = [];
    this.columnSets = 0;
    this.seenAll = undefined;
    this.maxRow.fill(-1);
    this.maxHi.fill(MIN_HI);
    this.maxLo.fill(0);
  }

  /**
   * Whether column `col` already holds a cell at `row` (whose time is hi, lo); if not, it holds one from now on.
   * The held cells are cells 0..count-1 of cellCol / cellRow, read only when a column first needs a Set.
   */
  check(col: number, row: number, hi: number, lo: number, cellCol: Int32Array, cellRow: Int32Array, count: number): boolean {
    const newRow = row > this.maxRow[col]!;
    if (newRow) this.maxRow[col] = row;
    const maxHi = this.maxHi[col]!;
    const newTime = hi > maxHi || (hi === maxHi && lo > this.maxLo[col]!);
    if (newTime) {
      this.maxHi[col] = hi;
      this.maxLo[col] = lo;
    }
    let seen = this.seenAll ?? this.seenByColumn[col];
    if (seen === undefined) {
      if (newRow || newTime) return false;
      seen = this.startSeen(col, cellCol, cellRow, count);
    }
    const key = col * this.bound + row;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  }

  /** The Set that checks `col` from now on, holding its cells (or every cell, past MAX_COLUMN_SETS columns). */
  private startSeen(col: number, cellCol: Int32Array, cellRow: Int32Array, count: number): Set<number> {
    const all = this.columnSets >= MAX_COLUMN_SETS;
    const seen = new Set<number>();
    for (let g = 0; g < count; g++) if (all || cellCol[g] === col) seen.add(cellCol[g]! * this.bound + cellRow[g]!);
    if (all) this.seenAll = seen;
    else {
      this.seenByColumn[col] = seen;
      this.columnSets++;
    }
    return seen;
  }
}
