import { describe, expect, it } from 'vitest';
import { decodePgoutput, UNCHANGED_TOAST } from './pgoutput.ts';
import type { Relation, Tuple } from './pgoutput.ts';
import { changesOf, columnIndex } from './changes.ts';

// Minimal pgoutput writers, byte for byte as the protocol documentation describes the messages.
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b; };

const COLS = ['ship_id', 'data_channel_id', 'created_time', 'value_format', 'double_v', 'long_v', 'str_v', 'bool_v'];

function relationMsg(oid: number, keys: string[]): Buffer {
  return Buffer.concat([u8(0x52), u32(oid), cstr('tenant'), cstr('tbl_data_timeseries'), u8(0x64), u16(COLS.length),
    ...COLS.flatMap((c) => [u8(keys.includes(c) ? 1 : 0), cstr(c), u32(25), u32(0xffffffff)])]);
}
function tuple(values: Tuple): Buffer {
  return Buffer.concat([u16(values.length), ...values.map((v) => {
    if (v === null) return u8(0x6e);
    if (v === UNCHANGED_TOAST) return u8(0x75);
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([u8(0x74), u32(b.length), b]);
  })]);
}
const row = (ship: string, ch: string, t: string, fmt: string | null, d: string | null, l: string | null, s: string | null, bo: string | null): Tuple =>
  [ship, ch, t, fmt, d, l, s, bo];

describe('decodePgoutput', () => {
  it('decodes begin/commit positions and times', () => {
    const begin = decodePgoutput(Buffer.concat([u8(0x42), u64(0x16b374d848n), u64(1_000_000n), u32(3_000_000_000)]));
    expect(begin).toEqual({ tag: 'begin', finalLsn: 0x16b374d848n, commitTimeUs: 946_684_801_000_000n, xid: 3_000_000_000 });
    const commit = decodePgoutput(Buffer.concat([u8(0x43), u8(0), u64(10n), u64(20n), u64(0n)]));
    expect(commit).toMatchObject({ tag: 'commit', commitLsn: 10n, endLsn: 20n });
  });

  it('keeps values as exact text, including hostile unicode and huge strings', () => {
    const rel = decodePgoutput(relationMsg(7, ['ship_id', 'data_channel_id', 'created_time']));
    expect(rel.tag).toBe('relation');
    const big = 'x'.repeat(1_000_000);
    const weird = '\u202e🚢\u0000'.replace('\u0000', '') + "'; DROP TABLE x; --";
    const ins = decodePgoutput(Buffer.concat([u8(0x49), u32(7), u8(0x4e), tuple(row('IMO1', weird, '2024-01-01 00:00:00.000001+00', 'String', null, null, big, null))]));
    expect(ins).toMatchObject({ tag: 'insert', relationOid: 7 });
    if (ins.tag !== 'insert') throw new Error('unreachable');
    expect(ins.new[1]).toBe(weird);
    expect(ins.new[6]).toHaveLength(1_000_000);
  });

  it('decodes logical messages and truncates', () => {
    const m = decodePgoutput(Buffer.concat([u8(0x4d), u8(0), u64(99n), cstr('fleetpivot.heartbeat'), u32(2), Buffer.from('hi')]));
    expect(m).toMatchObject({ tag: 'message', transactional: false, lsn: 99n, prefix: 'fleetpivot.heartbeat' });
    expect(decodePgoutput(Buffer.concat([u8(0x54), u32(1), u8(0), u32(7)]))).toMatchObject({ tag: 'truncate', relationOids: [7] });
  });

  it('rejects truncated input with a decode error', () => {
    expect(() => decodePgoutput(Buffer.from([0x42, 0, 0]))).toThrow(/truncated/);
  });
});

describe('changesOf', () => {
  const rel = decodePgoutput(relationMsg(7, ['ship_id', 'data_channel_id', 'created_time']));
  const relation = (rel as { relation: Relation }).relation;
  const idx = columnIndex(relation);
  const stats = { unchangedToast: 0 };

  it('maps all four formats with exact values, faithfully even when contradictory', () => {
    const [c] = changesOf({ tag: 'insert', relationOid: 7, new: row('S', 'c', '2024-01-01 00:00:00.123456+00', 'Integer', 'NaN', '9223372036854775807', null, 't') }, idx, stats);
    expect(c?.shipId).toBe('S');
    expect(c?.change).toMatchObject({ op: 'INSERT', created_time_us: 1704067200123456, value_format: 'Integer', long_v: 9223372036854775807n, bool_v: true, old: null });
    expect(c?.change.double_v).toBeNaN();
  });

  it('splits a key-changing UPDATE into DELETE(old ship) + UPDATE(new ship, old set)', () => {
    const old = row('A', 'c', '2024-01-01 00:00:00+00', null, null, null, null, null);
    const out = changesOf({ tag: 'update', relationOid: 7, oldKind: 'K', old, new: row('B', 'c', '2024-01-01 00:00:01+00', 'Decimal', '1.5', null, null, null) }, idx, stats);
    expect(out.map((o) => [o.shipId, o.change.op])).toEqual([['A', 'DELETE'], ['B', 'UPDATE']]);
    expect(out[1]?.change.old).toEqual({ ship_id: 'A', data_channel_id: 'c', created_time_us: 1704067200000000 });
  });

  it('keeps a same-key UPDATE single and fills unchanged TOAST from a full old tuple', () => {
    const old = row('A', 'c', '2024-01-01 00:00:00+00', 'String', null, null, 'long text', null);
    const out = changesOf({ tag: 'update', relationOid: 7, oldKind: 'O', old, new: [...old.slice(0, 6), UNCHANGED_TOAST, null] }, idx, stats);
    expect(out).toHaveLength(1);
    expect(out[0]?.change).toMatchObject({ op: 'UPDATE', str_v: 'long text', old: null });
  });

  it('routes a DELETE to the old ship with its key', () => {
    const out = changesOf({ tag: 'delete', relationOid: 7, oldKind: 'K', old: row('A', 'c', '2024-01-01 00:00:00+00', null, null, null, null, null) }, idx, stats);
    expect(out[0]?.shipId).toBe('A');
    expect(out[0]?.change).toMatchObject({ op: 'DELETE', data_channel_id: 'c', old: { ship_id: 'A' } });
  });
});
