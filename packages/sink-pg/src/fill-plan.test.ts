import { describe, expect, it } from 'vitest';
import { buildFillBlock, type FillCell } from '@fleetpivot/events';
import type { ShipFill } from '@fleetpivot/pivot';
import type { ShipLayout } from './catalog.ts';
import { fillText, fillWindows, planFills, type FillPart } from './fill-plan.ts';
import { fillInsertStatement, fillMergeStatement } from './fill-sql.ts';
import { cellKey } from './plan.ts';

const col = (channel: string, table: string, type: 'double precision' | 'bigint' | 'boolean' | 'text') => [channel, { channel, part: 1, schema: 'w', table, column: channel, type }] as const;
const layout: ShipLayout = {
  shipId: 'S',
  parts: new Map(),
  channels: new Map([col('d', 'p1', 'double precision'), col('i', 'p1', 'bigint'), col('b', 'p2', 'boolean'), col('s', 'p2', 'text'), col('__proto__', 'p2', 'double precision')]),
};
const fill = (cells: FillCell[]): ShipFill => ({ ship: 'S', block: buildFillBlock(cells), position: { topic: 't', partition: 0, offset: '0' } });
/** A parameter as the elements PostgreSQL will read: binary arrays decoded (array_recv), text arrays as they are. */
function elements(param: unknown): unknown {
  if (!Buffer.isBuffer(param)) return param;
  const oid = param.readInt32BE(8);
  const out: unknown[] = [];
  for (let r = 0, at = 20; r < param.readInt32BE(12); r++) {
    const len = param.readInt32BE(at);
    at += 4;
    if (len < 0) out.push(null);
    else out.push(oid === 701 ? param.readDoubleBE(at) : oid === 16 ? param[at] === 1 : param.readBigInt64BE(at));
    at += Math.max(0, len);
  }
  return out;
}
const PG_EPOCH_US = 946_684_800_000_000n;
const valuesOf = (part: FillPart, rows = part.times.length) => part.values.map((v) => elements(v.param(rows)));

const dec = (channel: string, timeUs: number, value: number): FillCell => ({ channel, timeUs, value: { format: 'Decimal', value } });

describe('fillText', () => {
  const one = (c: FillCell) => buildFillBlock([c]).columns[0]!;
  it('reads the same-type pairings straight from the packed bytes', () => {
    expect(fillText(one(dec('d', 1, 1.5)), 0, 'double precision')).toBe('1.5');
    expect(fillText(one(dec('d', 1, -0)), 0, 'double precision')).toBe('-0');
    expect(fillText(one(dec('d', 1, Number.NaN)), 0, 'double precision')).toBe('NaN');
    expect(fillText(one(dec('d', 1, -Infinity)), 0, 'double precision')).toBe('-Infinity');
    expect(fillText(one({ channel: 'i', timeUs: 1, value: { format: 'Integer', value: -9223372036854775808n } }), 0, 'bigint')).toBe('-9223372036854775808');
    expect(fillText(one({ channel: 'i', timeUs: 1, value: { format: 'Integer', value: -5 } }), 0, 'bigint')).toBe('-5');
    expect(fillText(one({ channel: 'b', timeUs: 1, value: { format: 'Boolean', value: true } }), 0, 'boolean')).toBe('true');
    expect(fillText(one({ channel: 's', timeUs: 1, value: { format: 'String', value: "it's\t\\N" } }), 0, 'text')).toBe("it's\t\\N");
  });
  it('follows the column rule elsewhere: null when the value does not fit', () => {
    expect(fillText(one({ channel: 'i', timeUs: 1, value: { format: 'Integer', value: 2n ** 60n } }), 0, 'double precision')).toBeNull();
    expect(fillText(one({ channel: 'i', timeUs: 1, value: { format: 'Integer', value: 7 } }), 0, 'double precision')).toBe('7');
    expect(fillText(one(dec('d', 1, 2.5)), 0, 'bigint')).toBeNull();
    expect(fillText(one(dec('d', 1, 1e20)), 0, 'text')).toBe('1e+20');
    expect(fillText(one({ channel: 'b', timeUs: 1, value: { format: 'Boolean', value: false } }), 0, 'double precision')).toBeNull();
  });
});

describe('planFills', () => {
  it('places cells per part table, drops tombstoned ones, sends what does not fit to the cell-op planner', () => {
    const a = fill([dec('d', 10, 1), dec('d', 20, 2), { channel: 'i', timeUs: 20, value: { format: 'Integer', value: 3 } }, { channel: 'b', timeUs: 30, value: { format: 'Boolean', value: true } }, dec('__proto__', 10, 4)]);
    const b = fill([dec('d', 20, 5), dec('d', 40, 6), { channel: 'd', timeUs: 50, value: { format: 'Decimal', value: 7 } }, { channel: 'i', timeUs: 40, value: { format: 'Integer', value: 2n ** 60n } }]);
    const plan = planFills([a, b], new Map([['S', layout]]), new Set([cellKey('S', 'd', 50)]));
    const p1 = plan.parts.get('w.p1')!;
    expect(p1.times).toEqual([10, 20, 40]);
    expect(p1.columns.map((c) => c.column)).toEqual(['d', 'i']);
    // A later block's value for the same cell replaces the earlier one (FILL after FILL).
    expect(valuesOf(p1)).toEqual([
      [1, 5, 6],
      [null, 3n, 2n ** 60n],
    ]);
    const p2 = plan.parts.get('w.p2')!;
    expect(p2.times).toEqual([30, 10]);
    expect(valuesOf(p2)).toEqual([[true, null], [null, 4]]);
    // The tombstoned cell (d at 50) is gone; Integer 2^60 fits the bigint column.
    expect(plan.fallback.size).toBe(0);
    expect(plan.cells).toBe(8);
  });

  it('routes values their column cannot hold through FILL ops (to _overflow)', () => {
    const plan = planFills([fill([{ channel: 'd', timeUs: 1, value: { format: 'Integer', value: 2n ** 60n } }]), fill([dec('d', 2, 1)])], new Map([['S', layout]]), new Set());
    expect(plan.fallback.get('S')!.get(1n)!.get('d')).toEqual({ kind: 'FILL', value: { format: 'Integer', value: 2n ** 60n } });
    expect(plan.parts.get('w.p1')!.times).toEqual([2]);
  });

  it('refuses a channel without a column (the sink creates columns first)', () => {
    expect(() => planFills([fill([dec('nope', 1, 1)])], new Map([['S', layout]]), new Set())).toThrow(/no column/);
  });

  it('windows cover each ship from its earliest to its latest block time', () => {
    expect(fillWindows([fill([dec('d', 30, 1), dec('d', -5, 1)]), fill([dec('d', 100, 1)])])).toEqual([{ ship: 'S', minUs: -5n, maxUs: 100n }]);
  });
});

describe('fillMergeStatement', () => {
  it('fills only empty cells without an overflow entry, skips rows it would not change, quotes everything', () => {
    const plan = planFills([fill([dec('d', 10, 1), { channel: 's', timeUs: 10, value: { format: 'String', value: "x'y" } }, dec('__proto__', 20, 2)])], new Map([['S', layout]]), new Set());
    const p2 = fillMergeStatement(plan.parts.get('w.p2')!);
    // Columns in name order ("__proto__" before "s"): one column set, one statement text.
    expect(p2.text).toContain(`OR (t."s" IS NULL AND s.v1 IS NOT NULL AND NOT COALESCE(t._overflow ? 's', false))) THEN UPDATE`);
    expect(p2.text).toContain('"__proto__" = CASE WHEN');
    // Times as binary timestamptz (µs since 2000-01-01), the double column as binary float8, text as text.
    expect(p2.values.map(elements)).toEqual([[10n - PG_EPOCH_US, 20n - PG_EPOCH_US], [null, 2], ["x'y", null]]);
  });
});

describe('fillInsertStatement', () => {
  it('inserts missing rows with the same parameters as the MERGE and leaves existing rows to it', () => {
    const plan = planFills([fill([dec('d', 10, 1), { channel: 's', timeUs: 10, value: { format: 'String', value: "x'y" } }, dec('__proto__', 20, 2)])], new Map([['S', layout]]), new Set());
    const part = plan.parts.get('w.p2')!;
    const insert = fillInsertStatement(part);
    expect(insert.text).toBe(`INSERT INTO "w"."p2" AS t (created_time, "__proto__", "s")
SELECT * FROM unnest($1::timestamptz[], $2::float8[], $3::text[])
ON CONFLICT (created_time) DO NOTHING`);
    expect(insert.values).toEqual(fillMergeStatement(part).values);
  });
});
