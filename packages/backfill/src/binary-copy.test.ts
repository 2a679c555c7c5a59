import { describe, expect, it } from 'vitest';
import { BinaryCopyParser, SIGNATURE, type RawFields } from './binary-copy.ts';
import { int64, PG_EPOCH_US, tuple } from './copy-fixture.ts';
import { decodeNarrowRow } from './narrow-row.ts';

/** Field buffers to the parser's positional form. */
function fieldsOf(values: (Buffer | null)[]): RawFields {
  const starts = new Int32Array(values.length);
  const lengths = new Int32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    starts[i] = at;
    lengths[i] = v ? v.length : -1;
    at += v ? v.length : 0;
  });
  return { buf: Buffer.concat(values.filter((v): v is Buffer => v !== null)), starts, lengths };
}

function copyStream(tuples: (Buffer | null)[][]): Buffer {
  const header = Buffer.concat([SIGNATURE, Buffer.alloc(4), Buffer.from([0, 0, 0, 3]), Buffer.from('ext')]);
  return Buffer.concat([header, ...tuples.map(tuple), Buffer.from([0xff, 0xff])]);
}

function narrow(time: bigint | null, long: bigint | null, dbl: number | null): (Buffer | null)[] {
  const d = Buffer.alloc(8);
  if (dbl !== null) d.writeDoubleBE(dbl);
  return [
    Buffer.from('IMO9074729'),
    Buffer.from('/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature'),
    time === null ? null : int64(time),
    Buffer.from('Integer'),
    dbl === null ? null : d,
    long === null ? null : int64(long),
    Buffer.from("it's \t\n\\ 船"),
    Buffer.from([1]),
  ];
}

describe('BinaryCopyParser', () => {
  it('decodes tuples split at every possible byte boundary', () => {
    const tuples = [narrow(0n, 1n, 1.5), narrow(null, null, null), narrow(1n, -1n, -0)];
    const stream = copyStream(tuples);
    for (let cut = 1; cut < stream.length; cut++) {
      const rows: (Buffer | null)[][] = [];
      const p = new BinaryCopyParser(8, (f) => rows.push(Array.from(f.starts, (at, i) => (f.lengths[i]! < 0 ? null : Buffer.from(f.buf.subarray(at, at + f.lengths[i]!))))));
      p.push(stream.subarray(0, cut));
      p.push(stream.subarray(cut));
      p.end();
      expect(rows, `cut at ${cut}`).toEqual(tuples);
    }
  });

  it('decodes ranges of larger buffers (CopyData payloads inside socket reads), cut anywhere', () => {
    const stream = copyStream([narrow(0n, 1n, 1.5), narrow(null, null, null), narrow(1n, -1n, -0)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const rows: (Buffer | null)[][] = [];
      const p = new BinaryCopyParser(8, (f) => rows.push(Array.from(f.starts, (at, i) => (f.lengths[i]! < 0 ? null : Buffer.from(f.buf.subarray(at, at + f.lengths[i]!))))));
      // Each piece framed by bytes that are not part of it, as a message header and the next message are.
      const framed = (b: Buffer) => Buffer.concat([Buffer.from([0x64, 0xff, 0xff, 0xff, 0xff]), b, Buffer.from([0x63, 0, 0])]);
      p.pushRange(framed(stream.subarray(0, cut)), 5, 5 + cut);
      p.pushRange(framed(stream.subarray(cut)), 5, 5 + stream.length - cut);
      p.end();
      expect(rows.map((r) => r[5]?.readBigInt64BE() ?? null)).toEqual([1n, null, -1n]);
    }
  });

  it('rejects text-format output and a stream cut short', () => {
    expect(() => new BinaryCopyParser(8, () => undefined).push(Buffer.from('IMO1\tx\tx\tx\tx\tx\tx\tx\n'.repeat(2)))).toThrow(/binary/);
    const p = new BinaryCopyParser(8, () => undefined);
    const stream = copyStream([narrow(0n, 1n, 1.5)]);
    p.push(stream.subarray(0, stream.length - 5));
    expect(() => p.end()).toThrow(/ended mid-stream/);
  });
});

describe('decodeNarrowRow', () => {
  it('keeps microseconds, bigints beyond 2^53, infinities and NULLs exactly', () => {
    const decode = (f: (Buffer | null)[]) => decodeNarrowRow(fieldsOf(f)).change;
    const us = 1_714_564_800_123_457n; // 2024-05-01 12:00:00.123457 UTC
    const c = decode(narrow(us - PG_EPOCH_US, 9223372036854775807n, 0.1));
    expect(c).toMatchObject({ op: 'BACKFILL', created_time_us: Number(us), long_v: 9223372036854775807n, double_v: 0.1, str_v: "it's \t\n\\ 船", bool_v: true, old: null });
    expect(decode(narrow(-9223372036854775808n, -9223372036854775808n, Number.NaN)).created_time_us).toBe(-9223372036854775808n);
    expect(decode(narrow(9223372036854775807n, 42n, null)).created_time_us).toBe(9223372036854775807n);
    expect(decode(narrow(-PG_EPOCH_US - 1n, 2n ** 53n + 1n, null))).toMatchObject({ created_time_us: -1, long_v: 2n ** 53n + 1n });
    const nulls = decodeNarrowRow(fieldsOf([null, null, null, null, null, null, null, null]));
    expect(nulls.shipId).toBeNull();
    expect(nulls.change).toMatchObject({ data_channel_id: null, created_time_us: null, value_format: null, double_v: null, long_v: null, str_v: null, bool_v: null });
  });
});
