import { describe, expect, it } from 'vitest';
import { planChunks, type PlanOptions, type ShipStats } from './plan.ts';

const DAY = 86_400_000_000n;
const base: PlanOptions = { chunkRows: 100, bucketUs: DAY, fromUs: null, toUs: null, order: 'smallest-first' };

function ship(id: string | null, perDay: number[], extra: Partial<ShipStats> = {}): ShipStats {
  return { shipId: id, buckets: perDay.map((rows, i) => ({ startUs: BigInt(19_000 + i) * DAY, rows })), infiniteRows: 0, nullTimeRows: 0, ...extra };
}

describe('planChunks', () => {
  it('orders ships smallest first, the NULL ship last, and covers each ship end to end', () => {
    const chunks = planChunks([ship('B', [300]), ship(null, [1]), ship('A', [50, 40])], base);
    expect(chunks.map((c) => c.shipId)).toEqual(['A', 'B', 'B', 'B', null]);
    for (const id of ['A', 'B', null]) {
      const mine = chunks.filter((c) => c.shipId === id);
      expect(mine[0]!.fromUs).toBeNull();
      expect(mine[mine.length - 1]!.toUs).toBeNull();
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.fromUs).toBe(mine[i - 1]!.toUs);
    }
    expect(chunks.reduce((n, c) => n + c.rowsEstimate, 0)).toBe(391);
    expect(planChunks([ship('B', [300]), ship('A', [50])], { ...base, order: 'largest-first' })[0]!.shipId).toBe('B');
  });

  it('cuts at bucket starts and splits a heavy bucket evenly in time', () => {
    const chunks = planChunks([ship('A', [60, 60, 250])], base);
    expect(chunks.map((c) => c.rowsEstimate)).toEqual([60, 60, 83, 84, 83]);
    expect(chunks[1]!.fromUs).toBe(19_001n * DAY);
    expect(chunks[3]!.fromUs).toBe(19_002n * DAY + DAY / 3n);
  });

  it('splits a heavy bucket over the span its rows cover, not over the whole bucket', () => {
    const first = 19_000n * DAY + 3_600_000_000n;
    const last = first + 1_500_000_000n - 1n; // 25 minutes of rows in a day bucket
    const chunks = planChunks([{ shipId: 'A', buckets: [{ startUs: 19_000n * DAY, rows: 500, firstUs: first, lastUs: last }], infiniteRows: 0, nullTimeRows: 0 }], base);
    expect(chunks.map((c) => c.rowsEstimate)).toEqual([100, 100, 100, 100, 100]);
    expect(chunks.slice(1).map((c) => c.fromUs)).toEqual([1n, 2n, 3n, 4n].map((i) => first + (1_500_000_000n * i) / 5n));
    expect(chunks[0]!.fromUs).toBeNull();
    expect(chunks[4]!.toUs).toBeNull();
  });

  it('gives NULL created_time its own chunk, and counts ±infinity in the open ends', () => {
    const chunks = planChunks([ship('A', [10], { nullTimeRows: 5, infiniteRows: 2 })], base);
    expect(chunks).toEqual([
      { shipId: 'A', fromUs: null, toUs: null, nullTime: false, rowsEstimate: 12 },
      { shipId: 'A', fromUs: null, toUs: null, nullTime: true, rowsEstimate: 5 },
    ]);
  });

  it('covers a sampled ship whole, NULL times included, even when the sample saw none of its rows', () => {
    const unseen: ShipStats = { shipId: 'TINY', buckets: [], infiniteRows: 0, nullTimeRows: 0, estimated: true, mayHaveNullTimes: true };
    expect(planChunks([unseen, { ...ship('A', [150]), estimated: true, mayHaveNullTimes: true }], base)).toEqual([
      { shipId: 'TINY', fromUs: null, toUs: null, nullTime: false, rowsEstimate: 0 },
      { shipId: 'TINY', fromUs: null, toUs: null, nullTime: true, rowsEstimate: 0 },
      { shipId: 'A', fromUs: null, toUs: 19_000n * DAY + DAY / 2n, nullTime: false, rowsEstimate: 75 },
      { shipId: 'A', fromUs: 19_000n * DAY + DAY / 2n, toUs: null, nullTime: false, rowsEstimate: 75 },
      { shipId: 'A', fromUs: null, toUs: null, nullTime: true, rowsEstimate: 0 },
    ]);
    // Estimated just over chunkRows (100): still one chunk; well over it: cut.
    expect(planChunks([{ ...ship('B', [120]), estimated: true }], base)).toHaveLength(1);
    expect(planChunks([{ ...ship('B', [130]), estimated: true }], base)).toHaveLength(2);
    expect(planChunks([ship('B', [120])], base)).toHaveLength(2);
    // created_time NOT NULL: no NULL-time chunk. Exact counts plan nothing for a ship without rows.
    expect(planChunks([{ ...unseen, mayHaveNullTimes: false }], base)).toEqual([{ shipId: 'TINY', fromUs: null, toUs: null, nullTime: false, rowsEstimate: 0 }]);
    expect(planChunks([{ ...unseen, estimated: false, mayHaveNullTimes: false }], base)).toEqual([]);
  });

  it('keeps a time-scoped job inside its range and leaves NULL times out', () => {
    const fromUs = 19_000n * DAY + 5n;
    const toUs = 19_003n * DAY;
    const chunks = planChunks([ship('A', [100, 100, 100], { nullTimeRows: 9 })], { ...base, fromUs, toUs });
    expect(chunks[0]!.fromUs).toBe(fromUs);
    expect(chunks[chunks.length - 1]!.toUs).toBe(toUs);
    expect(chunks.every((c) => !c.nullTime)).toBe(true);
  });

  it('plans nothing for an empty table', () => {
    expect(planChunks([], base)).toEqual([]);
  });
});
