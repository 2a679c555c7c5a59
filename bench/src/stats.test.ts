import { describe, expect, it } from 'vitest';
import { histogram, median, percentiles, ratio, spread } from './stats.ts';

describe('stats', () => {
  it('takes the median of odd and even counts without mutating the input', () => {
    const input = [5, 1, 3];
    expect(median(input)).toBe(3);
    expect(input).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('reports min/median/max of repeats', () => {
    expect(spread([3, 9, 1])).toEqual({ min: 1, median: 3, max: 9, n: 3 });
  });

  it('uses nearest-rank percentiles (an observed value)', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100, n: 100 });
    expect(percentiles([7]).p99).toBe(7);
  });

  it('bins values with the maximum in the last bin', () => {
    const bins = histogram([0, 1, 2, 3, 4], 2);
    expect(bins.map((b) => b.count)).toEqual([2, 3]);
    expect(histogram([2, 2], 3).reduce((s, b) => s + b.count, 0)).toBe(2);
  });

  it('gives no ratio when a side is missing', () => {
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(10, null)).toBeNull();
    expect(ratio(10, 0)).toBeNull();
  });
});
