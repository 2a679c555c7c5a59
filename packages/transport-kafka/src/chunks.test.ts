import { describe, expect, it } from 'vitest';
import { chunksByBytes } from './kafkajs-producer.ts';

describe('chunksByBytes', () => {
  const msg = (n: number) => ({ key: null, value: Buffer.alloc(n) });
  it('keeps order and splits at the byte budget', () => {
    const chunks = chunksByBytes([msg(100), msg(100), msg(100)], 350);
    expect(chunks.map((c) => c.length)).toEqual([2, 1]);
  });
  it('sends an oversized message alone rather than dropping it', () => {
    expect(chunksByBytes([msg(10), msg(5000), msg(10)], 1000).map((c) => c.length)).toEqual([1, 1, 1]);
  });
  it('returns nothing for nothing', () => expect(chunksByBytes([], 10)).toEqual([]));
});
