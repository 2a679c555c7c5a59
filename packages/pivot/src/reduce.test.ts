import { describe, expect, it } from 'vitest';
import type { Change, ChangeBatch } from '@fleetpivot/events';
import { buildFillBlock } from '@fleetpivot/events';
import { CellReducer, reduceBatches } from './reduce.ts';

const pos = (offset: number) => ({ topic: 't', partition: 0, offset: String(offset) });

function ch(op: Change['op'], channel: string | null, time: number | null, v: number | null, extra: Partial<Change> = {}): Change {
  return { op, data_channel_id: channel, created_time_us: time, value_format: 'Decimal', double_v: v, long_v: null, str_v: null, bool_v: null, old: null, ...extra };
}
function batch(changes: Change[], ship: string | null = 'S1', kind: 'LIVE' | 'BACKFILL' = 'LIVE'): ChangeBatch {
  return { ship_id: ship, source: { kind, lsn: '0/1', commit_time_us: 1, xid: 1, job_id: null, chunk_id: null }, changes };
}
const cell = (r: ReturnType<typeof reduceBatches>, ship: string, t: number, c: string) => r.ships.get(ship)?.get(BigInt(t))?.get(c);

describe('CellReducer', () => {
  it('sets, clears and lets the last live op win', () => {
    const r = reduceBatches([
      { batch: batch([ch('INSERT', 'a', 1, 1.5), ch('INSERT', 'b', 1, 2), ch('UPDATE', 'a', 1, 3)]), position: pos(0) },
      { batch: batch([ch('DELETE', 'b', 1, null)]), position: pos(1) },
    ]);
    expect(cell(r, 'S1', 1, 'a')).toEqual({ kind: 'SET', value: { format: 'Decimal', value: 3 } });
    expect(cell(r, 'S1', 1, 'b')).toEqual({ kind: 'CLEAR' });
    expect(r.parked).toEqual([]);
  });
  it('a null value is an empty cell (CLEAR); a null BACKFILL value does nothing', () => {
    const r = reduceBatches([{ batch: batch([ch('INSERT', 'a', 1, null), ch('BACKFILL', 'b', 1, null)]), position: pos(0) }]);
    expect(cell(r, 'S1', 1, 'a')).toEqual({ kind: 'CLEAR' });
    expect(cell(r, 'S1', 1, 'b')).toBeUndefined();
  });
  it('drops a FILL after a live SET or CLEAR, keeps live ops after a FILL', () => {
    const r = reduceBatches([
      { batch: batch([ch('INSERT', 'a', 1, 1), ch('DELETE', 'b', 1, null), ch('BACKFILL', 'c', 1, 7)]), position: pos(0) },
      { batch: batch([ch('BACKFILL', 'a', 1, 9), ch('BACKFILL', 'b', 1, 9), ch('BACKFILL', 'c', 1, 8)], 'S1', 'BACKFILL'), position: pos(1) },
      { batch: batch([ch('BACKFILL', 'd', 1, 5)], 'S1', 'BACKFILL'), position: pos(2) },
      { batch: batch([ch('UPDATE', 'd', 1, 6)]), position: pos(3) },
    ]);
    expect(cell(r, 'S1', 1, 'a')).toEqual({ kind: 'SET', value: { format: 'Decimal', value: 1 } });
    expect(cell(r, 'S1', 1, 'b')).toEqual({ kind: 'CLEAR' });
    expect(cell(r, 'S1', 1, 'c')).toEqual({ kind: 'FILL', value: { format: 'Decimal', value: 8 } });
    expect(cell(r, 'S1', 1, 'd')).toEqual({ kind: 'SET', value: { format: 'Decimal', value: 6 } });
  });
  it('clears the old cell of an UPDATE that moved the row', () => {
    const old = { ship_id: 'S1', data_channel_id: 'a', created_time_us: 1 };
    const r = reduceBatches([{ batch: batch([ch('UPDATE', 'a', 2, 4, { old })]), position: pos(0) }]);
    expect(cell(r, 'S1', 1, 'a')).toEqual({ kind: 'CLEAR' });
    expect(cell(r, 'S1', 2, 'a')?.kind).toBe('SET');
    const moved = reduceBatches([{ batch: batch([ch('UPDATE', 'a', 2, 4, { old: { ...old, ship_id: 'S0' } })]), position: pos(0) }]);
    expect(moved.ships.has('S0')).toBe(false); // the old ship's own DELETE clears it, in that ship's order
  });
  it('takes a DELETE key from old when present', () => {
    const old = { ship_id: null, data_channel_id: 'x', created_time_us: 5 };
    const r = reduceBatches([{ batch: batch([ch('DELETE', null, null, null, { old })]), position: pos(0) }]);
    expect(cell(r, 'S1', 5, 'x')).toEqual({ kind: 'CLEAR' });
  });
  it('parks what cannot be pivoted and keeps the rest of the batch', () => {
    const r = new CellReducer();
    r.add(batch([ch('INSERT', 'a', 1, 1, { value_format: 'Float' }), ch('INSERT', null, 1, 1), ch('INSERT', 'b', null, 1), ch('TRUNCATE', null, null, null), ch('INSERT', 'ok', 1, 2)]), pos(4));
    r.add(batch([ch('INSERT', 'a', 1, 1)], null), pos(5));
    r.addUndecodable(pos(6), 'bad avro');
    const out = r.result();
    expect(out.parked.map((p) => [p.reason, p.changeIndex, p.position.offset])).toEqual([
      ['unknown_value_format', 0, '4'],
      ['null_channel_id', 1, '4'],
      ['null_created_time', 2, '4'],
      ['truncate_not_mirrored', 3, '4'],
      ['null_ship_id', null, '5'],
      ['decode_failed', null, '6'],
    ]);
    expect(cell(out, 'S1', 1, 'ok')?.kind).toBe('SET');
  });
  it('keeps µs timestamps beyond 2^53 exact as bigint keys', () => {
    const t = 2n ** 60n + 1n;
    const r = reduceBatches([{ batch: batch([ch('INSERT', 'a', null, 1, { created_time_us: t })]), position: pos(0) }]);
    expect(r.ships.get('S1')?.has(t)).toBe(true);
  });
});

describe('CellReducer fills', () => {
  const position = { topic: 't', partition: 0, offset: '7' };
  const source = { kind: 'BACKFILL' as const, lsn: '0/1', commit_time_us: 1, xid: null, job_id: 'j', chunk_id: 'j/1' };
  const block = buildFillBlock([{ channel: 'a', timeUs: 1, value: { format: 'Decimal', value: 1 } }]);
  it('keeps well-formed blocks aside for the sink, in order, and parks malformed ones with the reason', () => {
    const r = new CellReducer();
    r.add({ ship_id: 'S', source, changes: [], fills: block }, position);
    r.add({ ship_id: 'S', source, changes: [], fills: { ...block, times_us: Buffer.alloc(3) } }, { ...position, offset: '8' });
    r.add({ ship_id: null, source, changes: [], fills: block }, { ...position, offset: '9' });
    const out = r.result();
    expect(out.fills).toEqual([{ ship: 'S', block, position }]);
    expect(out.parked.map((p) => [p.reason, p.position.offset])).toEqual([
      ['invalid_fill_block', '8'],
      ['null_ship_id', '9'],
    ]);
    expect(out.parked[0]!.detail).toMatch(/multiple of 8/);
  });
});
