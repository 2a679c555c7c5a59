import { describe, expect, it } from 'vitest';
import { parseFloat8, parseInt8, parseTimestampUs, TIMESTAMP_INFINITY_US } from './values.ts';
import { formatLsn, parseLsn } from './lsn.ts';

describe('parseTimestampUs', () => {
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
  });
});
