import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { ChangeBatchCodec, changeBatchV1, type Change, type ChangeBatch } from './index.ts';

const change = (over: Partial<Change> = {}): Change => ({
  op: 'INSERT',
  data_channel_id: '/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature/cnt-exhaust.gas/pos-inlet',
  created_time_us: 1_700_000_000_123_456,
  value_format: 'Decimal',
  double_v: 412.5,
  long_v: null,
  str_v: null,
  bool_v: null,
  old: null,
  ...over,
});

const batch = (changes: Change[], ship: string | null = 'IMO9074729'): ChangeBatch => ({
  ship_id: ship,
  source: { kind: 'LIVE', lsn: '16/B374D848', commit_time_us: 1_700_000_000_200_000, xid: 7781, job_id: null, chunk_id: null },
  changes,
});

describe('ChangeBatchCodec', () => {
  const codec = new ChangeBatchCodec();

  it('round-trips all four formats, deletes with old keys and nulls', () => {
    const b = batch([
      change(),
      change({ value_format: 'Integer', double_v: null, long_v: -42 }),
      change({ value_format: 'String', double_v: null, str_v: 'ballast' }),
      change({ value_format: 'Boolean', double_v: null, bool_v: false }),
      change({ op: 'DELETE', value_format: null, double_v: null, old: { ship_id: 'IMO1', data_channel_id: 'x', created_time_us: 5 } }),
      change({ op: 'UPDATE', data_channel_id: null, created_time_us: null, value_format: 'Bogus' }),
    ]);
    expect(codec.decode(codec.encode(b))).toEqual({ ...b, fills: null });
  });

  it('keeps every bigint exactly, beyond 2^53', () => {
    const values = [9223372036854775807n, -9223372036854775808n, 9007199254740993n];
    const b = batch(values.map((v) => change({ value_format: 'Integer', double_v: null, long_v: v })));
    expect(codec.decode(codec.encode(b)).changes.map((c) => c.long_v)).toEqual(values);
  });

  it('encodes surprising values faithfully: NaN, infinities, 1 MB strings, hostile unicode, SQL-looking ids', () => {
    const big = 'x'.repeat(1024 * 1024);
    const b = batch(
      [
        change({ double_v: Number.NaN }),
        change({ double_v: Number.POSITIVE_INFINITY }),
        change({ double_v: -0 }),
        change({ value_format: 'String', double_v: 1, str_v: big }),
        change({ data_channel_id: '"; DROP TABLE tenant.tbl_data_timeseries; --\u202e\u0301🚢'.padEnd(500, 'z') }),
      ],
      "IMO'); DELETE FROM x; --",
    );
    const back = codec.decode(codec.encode(b));
    expect(back.changes[0]!.double_v).toBeNaN();
    expect(back.changes[1]!.double_v).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(back.changes[2]!.double_v, -0)).toBe(true);
    expect(back.changes[3]!.str_v).toBe(big);
    expect(back.changes[4]!.data_channel_id).toBe(b.changes[4]!.data_channel_id);
    expect(back.ship_id).toBe(b.ship_id);
  });

  it('throws a decode_failed error on garbage instead of returning half a batch', () => {
    expect(() => codec.decode(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]))).toThrow(expect.objectContaining({ code: 'decode_failed' }));
    expect(() => codec.decode(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'decode_failed' }));
    expect(() => codec.decode(Buffer.from('hello'), 99)).toThrow(expect.objectContaining({ code: 'unknown_schema_version' }));
  });

  it('reads the schema version from headers, defaulting to 1', () => {
    expect(ChangeBatchCodec.versionFromHeaders(undefined)).toBe(1);
    expect(ChangeBatchCodec.versionFromHeaders({ 'fp-schema-version': Buffer.from('2') })).toBe(2);
    expect(() => ChangeBatchCodec.versionFromHeaders({ 'fp-schema-version': 'two' })).toThrow();
  });
});

describe('schema evolution', () => {
  // A plausible next version: a field with a default on the batch and on each change.
  const v2 = structuredClone(changeBatchV1) as { fields: Array<Record<string, unknown>> };
  v2.fields.push({ name: 'tenant', type: ['null', 'string'], default: null });
  const changeType = ((v2.fields[2]!.type as { items: { fields: Array<Record<string, unknown>> } }).items);
  changeType.fields.push({ name: 'quality', type: 'int', default: 0 });
  const versions = { 1: changeBatchV1, 2: v2 as unknown as avro.Schema };

  it('a newer reader reads events written by the older writer', () => {
    const oldWriter = new ChangeBatchCodec(1, versions);
    const newReader = new ChangeBatchCodec(2, versions);
    const decoded = newReader.decode(oldWriter.encode(batch([change()])), 1) as ChangeBatch & { tenant: unknown };
    expect(decoded.tenant).toBeNull();
    expect((decoded.changes[0] as Change & { quality: number }).quality).toBe(0);
    expect(decoded.changes[0]!.double_v).toBe(412.5);
  });

  it('the older reader reads events written by the newer writer', () => {
    const newWriter = new ChangeBatchCodec(2, versions);
    const oldReader = new ChangeBatchCodec(1, versions);
    const b = { ...batch([{ ...change(), quality: 3 } as Change]), tenant: 'acme' } as ChangeBatch;
    const decoded = oldReader.decode(newWriter.encode(b), 2);
    expect(decoded.changes[0]!.data_channel_id).toBe(change().data_channel_id);
    expect('tenant' in decoded).toBe(false);
  });

  it('the shipped versions are mutually resolvable (the evolution rule, checked)', () => {
    const types = Object.values(versions).map((s) => avro.Type.forSchema(s, { wrapUnions: false }));
    for (const w of types) for (const r of types) expect(() => r.createResolver(w)).not.toThrow();
  });
});

describe('exact long', () => {
  const codec = new ChangeBatchCodec();
  it.each([0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53) + 1, 1_700_000_000_123_456, -(2 ** 52)])(
    'round-trips %s as the same number',
    (v) => {
      const back = codec.decode(codec.encode(batch([change({ value_format: 'Integer', double_v: null, long_v: v, created_time_us: v })])));
      expect(back.changes[0]!.long_v).toBe(v);
      expect(back.changes[0]!.created_time_us).toBe(v);
    },
  );
  it('turns a bigint that fits a number back into a number, and keeps the rest bigint', () => {
    const back = codec.decode(codec.encode(batch([change({ value_format: 'Integer', long_v: 5n }), change({ value_format: 'Integer', long_v: 2n ** 53n })])));
    expect(back.changes.map((c) => c.long_v)).toEqual([5, 2n ** 53n]);
  });
});
