import { describe, expect, it } from 'vitest';
import { TextPivot, wideLines } from './floor.ts';

describe('floor text pivot', () => {
  it('pivots COPY text lines split across chunks into wide rows, keeping escapes as they are', () => {
    const pivot = new TextPivot();
    const lines = [
      'S1\tch/a\t2025-01-01 00:00:00+00\tDecimal\t1.5\t\\N\t\\N\t\\N',
      'S1\tch/b\t2025-01-01 00:00:00+00\tString\t\\N\t\\N\tO\'Brien\\tvalve\t\\N',
      'S1\tch/a\t2025-01-01 00:00:15+00\tDecimal\t2\t\\N\t\\N\t\\N',
      'S2\tch/c\t2025-01-01 00:00:00+00\tBoolean\t\\N\t\\N\t\\N\tt',
      'S2\tch/d\t2025-01-01 00:00:00+00\tUnknown\t\\N\t\\N\t\\N\t\\N',
    ].join('\n') + '\n';
    pivot.push(lines.slice(0, 50));
    pivot.push(lines.slice(50));
    const s1 = pivot.ships.get('S1')!;
    expect([...s1.channels.keys()]).toEqual(['ch/a', 'ch/b']);
    expect([...wideLines(s1.rows, [0, 1])].join('')).toBe(
      "2025-01-01 00:00:00+00\t1.5\tO'Brien\\tvalve\n2025-01-01 00:00:15+00\t2\t\\N\n",
    );
    // A row of an unknown format is not pivotable: skipped, as fleetpivot parks it.
    expect([...pivot.ships.get('S2')!.channels.keys()]).toEqual(['ch/c']);
  });

  it('emits wide COPY text in chunks', () => {
    const rows = new Map([['t1', ['1']], ['t2', ['2']], ['t3', []]]);
    expect([...wideLines(rows, [0], 2)]).toEqual(['t1\t1\nt2\t2\n', 't3\t\\N\n']);
  });
});
