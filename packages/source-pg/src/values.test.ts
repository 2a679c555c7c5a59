import { describe, expect, it } from 'vitest';
import { parseFloat8, parseInt8, parseTimestampUs, TIMESTAMP_INFINITY_US } from './values.ts';
import { formatLsn, parseLsn } from './lsn.ts';

describe('parseTimestampUs', () => {
  it('reads the common UTC form exactly as the general parser, and refuses near misses', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let k = 0; k < 2000; k++) {
      const ms = Date.UTC(1000 + rand(9000), rand(12), 1 + rand(28), rand(24), rand(60), rand(60));
      const d = new Date(ms);
      const digits = rand(7);
      const frac = digits === 0 ? '' : `.${pad(rand(10 ** digits), digits)}`;
      const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac}+00`;
      // The same text with an explicit zero-minute offset takes the general (regex) path.
      expect(parseTimestampUs(text)).toBe(parseTimestampUs(text.replace('+00', '+00:00')));
      expect(BigInt(parseTimestampUs(text))).toBe(BigInt(ms) * 1000n + BigInt(frac ? frac.slice(1).padEnd(6, '0') : 0));
    }
    for (const bad of ['2024-03-01 12:34:5x+00', '2024-03-01 12:34:56.+00', '2024-03-01T12:34:56+00', '2024-03-01 12:34:56.1234567+00', '2024-0a-01 12:34:56+00']) {
      expect(() => parseTimestampUs(bad), bad).toThrow(/bad timestamptz/);
    }
  });

  it('keeps microseconds a Date would lose', () => {
    expect(parseTimestampUs('2024-03-01 12:34:56.123456+00')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56) * 1000 + 123456);
    expect(parseTimestampUs('2024-03-01 12:34:56.5+00')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56) * 1000 + 500000);
    expect(parseTimestampUs('2024-03-01 12:34:56+00')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56) * 1000);
  });
  it('applies offsets, including seconds offsets of historical zones', () => {
    expect(parseTimestampUs('2024-03-01 14:04:56.000001+01:30')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56) * 1000 + 1);
    expect(parseTimestampUs('1900-01-01 00:00:00-00:01:15')).toBe(Date.UTC(1900, 0, 1, 0, 1, 15) * 1000);
  });
  it('handles pre-epoch times, BC years, far future and infinities exactly', () => {
    expect(parseTimestampUs('1969-12-31 23:59:59.5+00')).toBe(-500000);
    expect(parseTimestampUs('0001-01-01 00:00:00+00 BC')).toBe(-62167219200000000n) // 1 BC is a leap year;
    expect(parseTimestampUs('3000-01-01 00:00:00.000001+00')).toBe(32503680000000001n);
    expect(parseTimestampUs('infinity')).toBe(TIMESTAMP_INFINITY_US);
    expect(() => parseTimestampUs('yesterday')).toThrow(/bad timestamptz/);
  });
});

describe('numbers', () => {
  it('keeps bigint exact beyond 2^53', () => {
    expect(parseInt8('42')).toBe(42);
    expect(parseInt8('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseInt8('9007199254740993')).toBe(9007199254740993n);
  });
  it('reads NaN and infinities as PostgreSQL writes them', () => {
    expect(parseFloat8('NaN')).toBeNaN();
    expect(parseFloat8('-Infinity')).toBe(-Infinity);
    expect(parseFloat8('1.7976931348623157e+308')).toBe(Number.MAX_VALUE);
  });
});

describe('lsn', () => {
  it('round-trips PostgreSQL text', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(2n ** 64n - 1n);
    expect(parseLsn('1fffff/ffffffff')).toBe(2n ** 53n - 1n);
    for (const bad of ['', '/', '1/', '/1', '1/2/3', '123456789/0', '0/g', '0/\u0010', ' 1/2', '1/2 ']) expect(() => parseLsn(bad), bad).toThrow(/bad LSN/);
  });
});
