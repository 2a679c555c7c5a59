/**
 * The typed arrays a FillBuilder fills, a set handed over with the cells it takes and reusable once they are sent
 * (FillBuilder.recycle): one set per take, grown by doubling, was ~30 bytes of off-heap garbage per cell.
 */

/** Cells and times a fresh set holds before it first grows. */
export const FIRST_CAPACITY = 1024;

/** One set: per cell its column, row id and value bytes; per row (time) its words, raw words and successor. */
export interface FillArrays {
  cellCol: Int32Array<ArrayBuffer>;
  cellRow: Int32Array<ArrayBuffer>;
  vals: Uint8Array<ArrayBuffer>;
  timeHi: Int32Array<ArrayBuffer>;
  timeLo: Uint32Array<ArrayBuffer>;
  rawHi: Int32Array<ArrayBuffer>;
  rawLo: Int32Array<ArrayBuffer>;
  nextRow: Int32Array<ArrayBuffer>;
}

/** What a builder holds between a take and its next cell: nothing (zero-length arrays cannot be written, so one set serves all). */
export const NO_ARRAYS: FillArrays = { cellCol: new Int32Array(0), cellRow: new Int32Array(0), vals: new Uint8Array(0), timeHi: new Int32Array(0), timeLo: new Uint32Array(0), rawHi: new Int32Array(0), rawLo: new Int32Array(0), nextRow: new Int32Array(0) };

export function freshArrays(): FillArrays {
  return {
    cellCol: new Int32Array(FIRST_CAPACITY),
    cellRow: new Int32Array(FIRST_CAPACITY),
    vals: new Uint8Array(FIRST_CAPACITY * 8),
    timeHi: new Int32Array(FIRST_CAPACITY),
    timeLo: new Uint32Array(FIRST_CAPACITY),
    rawHi: new Int32Array(FIRST_CAPACITY),
    rawLo: new Int32Array(FIRST_CAPACITY),
    nextRow: new Int32Array(FIRST_CAPACITY),
  };
}

/**
 * The next size of a set's arrays: a quarter more (at least FIRST_CAPACITY more), at most `cap`. Not double: a set
 * keeps the size the largest take needed and serves every later take of the job, so doubling could hold twice
 * that to the end. On 10M rows at 100 channels 14 of 88 chunks were just over 131,072 cells (sampled plans size
 * chunks from estimates), and doubling took every set to 262,144 where the 1M-row run's stayed at 131,072.
 */
export function nextCapacity(length: number, cap = Infinity): number {
  return Math.min(Math.max(length + FIRST_CAPACITY, Math.ceil(length * 1.25)), cap);
}

/** A copy of `a` with room for `size` elements (the new ones zero). */
export function grown<T extends Int32Array | Uint32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
