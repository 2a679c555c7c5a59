import { describe, expect, it } from 'vitest';
import { columnTypeFor, overflowEntry, valueForColumn } from './convert.ts';

describe('valueForColumn', () => {
  it('maps formats to typed columns and everything to text', () => {
    expect(columnTypeFor('Decimal', 'typed')).toBe('double precision');
    expect(columnTypeFor('Integer', 'typed')).toBe('bigint');
    expect(columnTypeFor('Boolean', 'text')).toBe('text');
    expect(valueForColumn({ format: 'Decimal', value: 0.1 }, 'text')).toBe('0.1');
    expect(valueForColumn({ format: 'Boolean', value: true }, 'text')).toBe('true');
    expect(valueForColumn({ format: 'Integer', value: 2n ** 62n }, 'text')).toBe('4611686018427387904');
  });
  it('converts only losslessly', () => {
    expect(valueForColumn({ format: 'Integer', value: 2 ** 53 }, 'double precision')).toBe('9007199254740992');
    expect(valueForColumn({ format: 'Integer', value: 2n ** 53n + 1n }, 'double precision')).toBeNull();
    expect(valueForColumn({ format: 'Decimal', value: 3 }, 'bigint')).toBe('3');
    expect(valueForColumn({ format: 'Decimal', value: 3.5 }, 'bigint')).toBeNull();
    expect(valueForColumn({ format: 'Decimal', value: -0 }, 'bigint')).toBeNull();
    expect(valueForColumn({ format: 'Decimal', value: 1e19 }, 'bigint')).toBeNull();
    expect(valueForColumn({ format: 'Decimal', value: NaN }, 'bigint')).toBeNull();
    expect(valueForColumn({ format: 'String', value: '1' }, 'double precision')).toBeNull();
    expect(valueForColumn({ format: 'Boolean', value: false }, 'boolean')).toBe('false');
    expect(valueForColumn({ format: 'Integer', value: 1 }, 'boolean')).toBeNull();
  });
  it('keeps overflowed values with their format and seed rendering', () => {
    expect(overflowEntry({ format: 'Decimal', value: 1e20 })).toEqual({ format: 'Decimal', value: '1e+20' });
  });
});
