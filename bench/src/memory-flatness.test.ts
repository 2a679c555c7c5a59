import { describe, expect, it } from 'vitest';
import { measured, notMeasured, type ScenarioResult } from './harness.ts';
import { flatnessMarkdown, memoryFlatness } from './memory-flatness.ts';

function backfill(channels: number, rows: number, peaks: Record<string, number[]>): ScenarioResult {
  return {
    id: `backfill/${channels}ch/${rows}`,
    title: '',
    params: { channels, rows },
    measurements: [measured('fleetpivot', 'throughput', 'narrow rows/s', true, [1]), ...Object.entries(peaks).map(([svc, v]) => measured(`fleetpivot ${svc}`, 'peak RSS', 'MiB', false, v))],
    comparisons: [],
    elapsedS: 0,
  };
}

describe('memory flatness', () => {
  it('compares each service at the smallest and the largest size of one channel count, on medians', () => {
    const rows = memoryFlatness([
      backfill(100, 1_000_000, { pivot: [120, 130, 125], backfill: [140, 150, 145] }),
      backfill(1000, 1_000_000, { pivot: [100] }),
      backfill(100, 10_000_000, { pivot: [137], backfill: [170] }),
    ]);
    expect(rows).toEqual([
      { channels: 100, service: 'fleetpivot pivot', smallRows: 1_000_000, largeRows: 10_000_000, smallMiB: 125, largeMiB: 137, growth: 1.1, flat: true },
      { channels: 100, service: 'fleetpivot backfill', smallRows: 1_000_000, largeRows: 10_000_000, smallMiB: 145, largeMiB: 170, growth: 1.17, flat: false },
    ]);
    expect(flatnessMarkdown(rows).join('\n')).toContain('| 100 | fleetpivot backfill | 1,000,000 | 145 MiB | 10,000,000 | 170 MiB | 1.17× | flat: NOT met |');
  });

  it('says nothing where only one size ran or a peak was not measured', () => {
    const lone = backfill(100, 1_000_000, { pivot: [120] });
    const unmeasured = { ...backfill(100, 10_000_000, {}), measurements: [notMeasured('fleetpivot pivot', 'peak RSS', 'MiB', false, 'failed')] };
    expect(memoryFlatness([lone])).toEqual([]);
    expect(memoryFlatness([lone, unmeasured])).toEqual([]);
    expect(flatnessMarkdown([])).toEqual([]);
  });
});
