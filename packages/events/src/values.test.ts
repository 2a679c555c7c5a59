import { describe, expect, it } from 'vitest';
import { cellValueOf, renderDouble, renderText } from './values.ts';

const row = { value_format: 'Decimal', double_v: null, long_v: null, str_v: null, bool_v: null };

describe('cellValueOf', () => {
  it('takes the column the format names and ignores the others', () => {
    expect(cellValueOf({ ...row, double_v: 1.5, long_v: 7 })).toEqual({ format: 'Decimal', value: 1.5 });
    expect(cellValueOf({ ...row, value_format: 'Integer', long_v: 7, double_v: 9 })).toEqual({ format: 'Integer', value: 7 });
  });
  it('is null when the named column is NULL, undefined for unknown formats', () => {
    expect(cellValueOf({ ...row, long_v: 3 })).toBeNull();
    expect(cellValueOf({ ...row, value_format: 'decimal', double_v: 1 })).toBeUndefined();
    expect(cellValueOf({ ...row, value_format: null })).toBeUndefined();
  });
});

describe('renderDouble matches PostgreSQL float8out', () => {
  it.each([
    [1, '1'],
    [0.1, '0.1'],
    [1000, '1000'],
    [123456789012345, '123456789012345'],
    [1e15, '1e+15'],
    [1.5e300, '1.5e+300'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-10, '-2.5e-10'],
    [Number.NaN, 'NaN'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [-0, '-0'],
  ])('%s -> %s', (v, text) => expect(renderDouble(v)).toBe(text));

  it('renders other formats as the seed casts them', () => {
    expect(renderText({ format: 'Integer', value: 9223372036854775807n })).toBe('9223372036854775807');
    expect(renderText({ format: 'Boolean', value: true })).toBe('true');
  });
});
