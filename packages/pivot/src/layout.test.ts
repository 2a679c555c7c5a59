import { describe, expect, it } from 'vitest';
import { assignColumns, tableBaseName, uniqueIdentifier, type PartState } from './layout.ts';

describe('assignColumns', () => {
  it('fills a part to its budget, then opens the next', () => {
    const parts: PartState[] = [];
    const channels = Array.from({ length: 2_500 }, (_, i) => ({ channel: `c${i}`, type: 'double precision' as const }));
    const out = assignColumns(parts, channels, { maxColumns: 1_200, maxBytes: 7_000 });
    expect(parts.map((p) => p.columns)).toEqual([875, 875, 750]);
    expect(new Set(out.map((a) => `${a.part}/${a.columnName}`)).size).toBe(2_500);
  });
  it('gives reserved, case-variant and long look-alike channels their own names', () => {
    const long = 'x'.repeat(70);
    const out = assignColumns([], ['created_time', 'xmin', 'Temp', 'temp', `${long}a`, `${long}b`].map((channel) => ({ channel, type: 'text' as const })));
    const names = out.map((a) => a.columnName);
    expect(names).not.toContain('created_time');
    expect(names).not.toContain('xmin');
    expect(new Set(names).size).toBe(6);
  });
  it('resolves a taken name deterministically', () => {
    const taken = new Set(['a']);
    const n = uniqueIdentifier('a', (x) => taken.has(x));
    expect(n).not.toBe('a');
    expect(n).toBe(uniqueIdentifier('a', (x) => taken.has(x)));
    expect(tableBaseName('S', 1)).toBe('tbl_data_timeseries_S');
    expect(tableBaseName('S', 3)).toBe('tbl_data_timeseries_S_part3');
  });
});
