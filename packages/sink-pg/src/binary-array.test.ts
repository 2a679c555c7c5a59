import { describe, expect, it } from 'vitest';
import { FillColumnValues, timestampArray } from './binary-array.ts';

const be = (write: (b: Buffer) => void, n = 8) => {
  const b = Buffer.alloc(n);
  write(b);
  return b;
};

describe('FillColumnValues', () => {
  it('keeps same-type values as binary array elements, NULL where a row has none', () => {
    const v = new FillColumnValues('double precision');
    v.setRaw(0, be((b) => b.writeDoubleBE(-0)), 0);
    v.setRaw(2, be((b) => b.writeDoubleBE(Number.NaN)), 0);
    v.setRaw(200, be((b) => b.writeDoubleBE(-Infinity)), 0); // past the first capacity
    const p = v.param(201) as Buffer;
    expect([p.readInt32BE(0), p.readInt32BE(4), p.readInt32BE(8), p.readInt32BE(12), p.readInt32BE(16)]).toEqual([1, 1, 701, 201, 1]);
    expect(Object.is(p.readDoubleBE(24), -0)).toBe(true);
    expect(p.readInt32BE(32)).toBe(-1);
    expect(p.readDoubleBE(40)).toBeNaN();
    expect(p.length).toBe(20 + 3 * 12 + 198 * 4);
  });

  it('turns the column to text at the first value that needs it, converting what it held exactly', () => {
    const big = new FillColumnValues('bigint');
    big.setRaw(0, be((b) => b.writeBigInt64BE(-(2n ** 63n))), 0);
    big.setRaw(1, be((b) => b.writeBigInt64BE(2n ** 60n + 1n)), 0);
    big.setText(3, '7');
    expect(big.binary).toBe(false);
    expect(big.param(4)).toBe('{-9223372036854775808,1152921504606846977,NULL,7}');
    const d = new FillColumnValues('double precision');
    d.setRaw(0, be((b) => b.writeDoubleBE(-0)), 0);
    d.setRaw(1, be((b) => b.writeDoubleBE(0.1)), 0);
    d.setText(1, '5');
    expect(d.param(2)).toBe('{-0,5}');
    const bool = new FillColumnValues('boolean');
    bool.setRaw(1, Buffer.from([1]), 0);
    bool.setText(0, 'false');
    expect(bool.param(2)).toBe('{false,true}');
    const text = new FillColumnValues('text');
    expect(text.binary).toBe(false);
    text.setText(1, 'a"b');
    expect(text.param(2)).toEqual([null, 'a"b']);
  });
});

describe('timestampArray', () => {
  it('shifts Unix microseconds to PostgreSQL 2000-based ones, ±infinity kept as the int64 extremes', () => {
    const p = timestampArray([0, -1, 2n ** 60n, 9223372036854775807n, -9223372036854775808n, -210866803200000000n]);
    expect(p.readInt32BE(8)).toBe(1184);
    const at = (i: number) => p.readBigInt64BE(20 + i * 12 + 4);
    expect([0, 1, 2, 3, 4, 5].map(at)).toEqual([-946684800000000n, -946684800000001n, 2n ** 60n - 946684800000000n, 9223372036854775807n, -9223372036854775808n, -211813488000000000n]);
  });
});

describe('FillColumnValues as binary COPY fields', () => {
  it('writes a length word and the bytes, -1 for a row without a value; text as UTF-8', () => {
    const d = new FillColumnValues('double precision');
    d.setRaw(1, be((b) => b.writeDoubleBE(-0)), 0);
    const t = new FillColumnValues('text');
    t.setText(0, 'ü\t');
    expect(d.copyable && t.copyable).toBe(true);
    const buf = Buffer.alloc(64);
    let at = d.writeCopyField(0, buf, 0);
    at = d.writeCopyField(1, buf, at);
    at = t.writeCopyField(0, buf, at);
    at = t.writeCopyField(1, buf, at);
    expect(at).toBe(d.copyFieldBytes(0) + d.copyFieldBytes(1) + t.copyFieldBytes(0) + t.copyFieldBytes(1));
    expect([buf.readInt32BE(0), buf.readInt32BE(4), Object.is(buf.readDoubleBE(8), -0), buf.readInt32BE(16), buf.subarray(20, 23).toString('utf8'), buf.readInt32BE(23)]).toEqual([-1, 8, true, 3, 'ü\t', -1]);
  });

  it('is not copyable once a non-text column holds converted text', () => {
    const b = new FillColumnValues('bigint');
    b.setText(0, '7');
    expect(b.copyable).toBe(false);
  });
});
