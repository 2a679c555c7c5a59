import { describe, expect, it } from 'vitest';
import type { CellOp, ShipRows } from '@fleetpivot/pivot';
import type { ShipLayout } from './catalog.ts';
import { cellKey, opsString, planApply, usToTimestamp } from './plan.ts';
import { mergeStatement } from './merge-sql.ts';
import { insertNewRowsStatement, partWithRows } from './insert-sql.ts';

const layout: ShipLayout = {
  shipId: 'S',
  parts: new Map([[1, { part: 1, schema: 'w', table: 'tbl_data_timeseries_S', columns: 2, bytes: 16 }]]),
  channels: new Map([
    ['a', { channel: 'a', part: 1, schema: 'w', table: 'tbl_data_timeseries_S', column: 'a', type: 'double precision' }],
    ['__proto__', { channel: '__proto__', part: 1, schema: 'w', table: 'tbl_data_timeseries_S', column: '__proto__', type: 'bigint' }],
  ]),
};

describe('planApply', () => {
  it('routes ops to columns, overflow and tombstones', () => {
    const cells = (entries: Array<[string, CellOp]>) => new Map<string, CellOp>(entries);
    const rows: ShipRows = new Map([
      [1n, cells([['a', { kind: 'SET', value: { format: 'Integer', value: 2n ** 60n } }], ['__proto__', { kind: 'SET', value: { format: 'Integer', value: 5 } }]])],
      [2n, cells([['a', { kind: 'CLEAR' }], ['never-seen', { kind: 'CLEAR' }]])],
      [3n, cells([['a', { kind: 'FILL', value: { format: 'Decimal', value: 1.5 } }]])],
    ]);
    const plan = planApply(new Map([['S', rows]]), new Map([['S', layout]]), new Set([cellKey('S', 'a', 3n)]));
    const part = plan.parts.get('w.tbl_data_timeseries_S')!;
    expect(part.columns.map((c) => c.column)).toEqual(['a', '__proto__']);
    // Integer 2^60 does not fit a double column: the column is cleared and the value kept in _overflow.
    const row1 = part.rows.get(1n)!;
    expect(opsString(row1, [0, 1])).toBe('CS');
    expect(opsString(row1, [1, 0])).toBe('SC');
    expect(row1.values).toEqual([null, '5']);
    expect(JSON.stringify(row1.oset)).toBe('{"a":{"format":"Integer","value":"1152921504606846976"}}');
    // A channel named "__proto__" is an ordinary key, not the prototype.
    expect(Object.keys(row1.oset!)).toEqual(['a']);
    expect(part.rows.get(2n)?.clears).toBe(true);
    expect(part.rows.get(2n)?.inserts).toBe(false);
    expect(part.rows.has(3n)).toBe(false); // tombstoned fill dropped
    expect(plan.tombstoneAdds.map((t) => t.channel)).toEqual(['a', 'never-seen']);
    expect(plan.overflows.get('S\u0000a')).toBe(1);
    const statement = mergeStatement(part);
    expect(statement.text).toContain('MERGE INTO "w"."tbl_data_timeseries_S"');
    // created_time, ops, inserts, oset, ofill, then one typed array per column — columns in name order
    // ("__proto__" before "a"), so the same column set always gives the same (prepared) statement text.
    expect(statement.values.slice(1, 3)).toEqual([['SC', '-C'], [true, false]]);
    expect(statement.values.slice(5)).toEqual(['{5,NULL}', '{NULL,NULL}']);
    const swapped = { ...part, columns: [...part.columns].reverse() };
    expect(mergeStatement({ ...swapped, index: new Map(swapped.columns.map((c, i) => [c.column, i])), rows: new Map([...part.rows].map(([t, r]) => [t, { ...r, ops: [...r.ops].reverse(), values: [...r.values].reverse() }])) }).text).toBe(statement.text);
  });
  it('inserts new rows as the MERGE would and leaves the rest to it, by position', () => {
    const rows: ShipRows = new Map([
      [1n, new Map<string, CellOp>([['a', { kind: 'SET', value: { format: 'Integer', value: 2n ** 60n } }], ['__proto__', { kind: 'SET', value: { format: 'Integer', value: 5 } }]])],
      [2n, new Map<string, CellOp>([['a', { kind: 'CLEAR' }]])],
    ]);
    const part = planApply(new Map([['S', rows]]), new Map([['S', layout]]), new Set()).parts.get('w.tbl_data_timeseries_S')!;
    const insert = insertNewRowsStatement(part);
    // Only rows that get a value are inserted; overflow entries go in with them; positions come back for the rest.
    expect(insert.text).toContain('INSERT INTO "w"."tbl_data_timeseries_S" (created_time, "__proto__", "a", _overflow)');
    expect(insert.text).toContain('FROM s WHERE s.ins\n  ON CONFLICT (created_time) DO NOTHING');
    expect(insert.text).toContain("NULLIF(COALESCE(s.oset, '{}'::jsonb) || COALESCE(s.ofill, '{}'::jsonb), '{}'::jsonb)");
    expect(insert.values.slice(1)).toEqual([[true, false], ['{"a":{"format":"Integer","value":"1152921504606846976"}}', null], [null, null], '{5,NULL}', '{NULL,NULL}']);
    const rest = partWithRows(part, [2]);
    expect([...rest.rows.keys()]).toEqual([2n]);
    // The same columns, so the same (prepared) MERGE text as for the whole part.
    expect(mergeStatement(rest).text).toBe(mergeStatement(part).text);
  });

  it('leaves the overflow parameters out when the batch writes no overflow', () => {
    const rows: ShipRows = new Map([[1n, new Map<string, CellOp>([['a', { kind: 'FILL', value: { format: 'Decimal', value: -0 } }]])]]);
    const part = planApply(new Map([['S', rows]]), new Map([['S', layout]]), new Set()).parts.get('w.tbl_data_timeseries_S')!;
    const statement = mergeStatement(part);
    expect(statement.values).toHaveLength(4);
    expect(statement.values[3]).toBe('{-0}');
    expect(statement.text).not.toContain('$4::jsonb[]');
  });
  it('removes tombstones only for SET cells that have one', () => {
    const rows: ShipRows = new Map([
      [1n, new Map<string, CellOp>([['a', { kind: 'SET', value: { format: 'Integer', value: 1 } }]])],
      [2n, new Map<string, CellOp>([['a', { kind: 'SET', value: { format: 'Integer', value: 2 } }]])],
    ]);
    const plan = planApply(new Map([['S', rows]]), new Map([['S', layout]]), new Set([cellKey('S', 'a', 2n)]));
    expect(plan.tombstoneRemoves).toEqual([{ ship: 'S', channel: 'a', timeUs: 2n }]);
    expect(planApply(new Map([['S', rows]]), new Map([['S', layout]]), new Set()).tombstoneRemoves).toEqual([]);
  });
  it('renders µs timestamps exactly, before and after the epoch', () => {
    expect(usToTimestamp(1_700_000_000_123_456n)).toBe('2023-11-14 22:13:20.123456+00');
    expect(usToTimestamp(-1n)).toBe('1969-12-31 23:59:59.999999+00');
    expect(usToTimestamp(0n)).toBe('1970-01-01 00:00:00.000000+00');
    // ±infinity (the int64 extremes), BC years and years past 9999 are all PostgreSQL input text.
    expect(usToTimestamp(9223372036854775807n)).toBe('infinity');
    expect(usToTimestamp(-9223372036854775808n)).toBe('-infinity');
    expect(usToTimestamp(-62135596800000000n)).toBe('0001-01-01 00:00:00.000000+00');
    expect(usToTimestamp(-62135596800000001n)).toBe('0001-12-31 23:59:59.999999+00 BC');
    expect(usToTimestamp(-210866803200000000n + 1n)).toBe('4714-11-24 00:00:00.000001+00 BC');
    expect(usToTimestamp(253402300800000000n)).toBe('10000-01-01 00:00:00.000000+00');
    expect(usToTimestamp(951782400000000n)).toBe('2000-02-29 00:00:00.000000+00');
  });
});
