import { describe, expect, it } from 'vitest';
import { parseBackfillArgs } from './args.ts';
import { resolveOptions } from './options.ts';

describe('parseBackfillArgs', () => {
  it('maps flags to options', () => {
    expect(parseBackfillArgs(['--ships', 'B, A', '--from', '2024-01-01', '--new-job', '--chunk-rows', '5000', '--table', 'tenant.t'])).toEqual({
      ships: ['B', 'A'],
      from: '2024-01-01',
      newJob: true,
      chunkRows: 5000,
      sourceTable: { schema: 'tenant', table: 't' },
    });
    expect(parseBackfillArgs(['--resume'])).toEqual({});
    expect(parseBackfillArgs(['--resume', '12', '--rate', '1000'])).toEqual({ resumeJobId: '12', rowsPerSecond: 1000 });
  });

  it('names the bad flag', () => {
    expect(() => parseBackfillArgs(['--chunk-rows', 'lots'])).toThrow(/--chunk-rows must be an integer/);
    expect(() => parseBackfillArgs(['--shipz', 'A'])).toThrow(/shipz/);
  });
});

describe('resolveOptions', () => {
  const base = { sourceUrl: 'postgres://x', targetUrl: 'postgres://x', kafkaBrokers: ['k:9092'], topicPrefix: 'fp', slotName: 's' };
  it('applies defaults and normalises ships', () => {
    const o = resolveOptions({ ...base, ships: ['B', 'A', 'B'] });
    expect(o.ships).toEqual(['A', 'B']);
    expect(o.chunkRows).toBe(100_000);
    expect(o.fromUs).toBeNull();
  });
  it('refuses nonsense', () => {
    expect(() => resolveOptions({ ...base, chunkRows: 0 })).toThrow(/chunkRows/);
    expect(() => resolveOptions({ ...base, from: '2024-02-01', to: '2024-01-01' })).toThrow(/before/);
    expect(() => resolveOptions({ ...base, ships: [] })).toThrow(/ships is empty/);
  });
});
