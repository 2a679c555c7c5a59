import { describe, expect, it } from 'vitest';
import { copyValueFields, escapeCopyText } from './copy-text.ts';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return only', () => {
    expect(escapeCopyText('plain /dnv-v2/x.y-z ✓')).toBe('plain /dnv-v2/x.y-z ✓');
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('writes \\N for nulls and t/f for booleans', () => {
    expect(copyValueFields('Boolean', { double_v: null, long_v: null, str_v: null, bool_v: false })).toBe('Boolean\t\\N\t\\N\t\\N\tf');
    expect(copyValueFields('String', { double_v: null, long_v: null, str_v: '', bool_v: null })).toBe('String\t\\N\t\\N\t\t\\N');
    expect(copyValueFields('Integer', { double_v: null, long_v: '4611686018427387904', str_v: null, bool_v: null })).toBe(
      'Integer\t\\N\t4611686018427387904\t\\N\t\\N',
    );
  });
});
