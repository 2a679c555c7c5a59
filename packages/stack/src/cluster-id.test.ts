import { describe, expect, it } from 'vitest';
import { kafkaClusterId } from './cluster-id.ts';

describe('kafkaClusterId', () => {
  it('never starts with "-", which StorageTool would read as an option', () => {
    // 0xf8 as the first byte encodes to '-' as the first base64url character.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0xfb), Buffer.from('0123456789abcdef')];
    const id = kafkaClusterId(() => draws.shift()!);
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(id).toBe(Buffer.from('0123456789abcdef').toString('base64url'));
    expect(draws).toHaveLength(0);
  });

  it('is 16 bytes in 22 base64url characters', () => {
    for (let i = 0; i < 2_000; i++) {
      const id = kafkaClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
