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
    expect(parseBackfillArgs(['--encoding', 'changes', '--batch-changes', '500'])).toEqual({ encoding: 'changes', batchMaxChanges: 500 });
    expect(parseBackfillArgs(['--encoding', 'columnar'])).toEqual({ encoding: 'columnar' });
  });

  it('names the bad flag', () => {
    expect(() => parseBackfillArgs(['--chunk-rows', 'lots'])).toThrow(/--chunk-rows must be an integer/);
    expect(() => parseBackfillArgs(['--shipz', 'A'])).toThrow(/shipz/);
    expect(() => parseBackfillArgs(['--encoding', 'avro'])).toThrow(/--encoding must be columnar or changes \(got "avro"\)/);
  });
});

describe('resolveOptions', () => {
  const base = { sourceUrl: 'postgres://x', targetUrl: 'postgres://x', kafkaBrokers: ['k:9092'], topicPrefix: 'fp', slotName: 's' };
  it('applies defaults and normalises ships', () => {
    const o = resolveOptions({ ...base, ships: ['B', 'A', 'B'] });
    expect(o.ships).toEqual(['A', 'B']);
    expect(o.chunkRows).toBe(100_000);
    expect(o.fromUs).toBeNull();
    expect([o.encoding, o.batchMaxChanges, o.batchMaxBytes]).toEqual(['columnar', 50_000, 900_000]);
  });
  it('refuses nonsense', () => {
    expect(() => resolveOptions({ ...base, chunkRows: 0 })).toThrow(/chunkRows/);
    expect(() => resolveOptions({ ...base, from: '2024-02-01', to: '2024-01-01' })).toThrow(/before/);
    expect(() => resolveOptions({ ...base, ships: [] })).toThrow(/ships is empty/);
    expect(() => resolveOptions({ ...base, encoding: 'json' as 'changes' })).toThrow(/encoding must be columnar or changes \(got "json"\)/);
  });
});
