import { describe, expect, it } from 'vitest';
import { CatalogCache, type ShipLayout } from './catalog.ts';

function layout(shipId: string, channels: number): ShipLayout {
  const cols = Array.from({ length: channels }, (_, i) => [`dc-${i}`, { channel: `dc-${i}`, part: 1, schema: 'w', table: `t_${shipId}`, column: `c${i}`, type: 'double precision' }] as const);
  return { shipId, parts: new Map(), channels: new Map(cols) };
}

describe('CatalogCache', () => {
  it('keeps at most its channel budget, evicting the least recently used ship first', () => {
    const cache = new CatalogCache(10);
    cache.set(layout('a', 4));
    cache.set(layout('b', 4));
    expect(cache.get('a')?.shipId).toBe('a'); // a is now more recent than b
    cache.set(layout('c', 4)); // 12 > 10: b goes, not a
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.shipId).toBe('a');
    expect(cache.get('c')?.shipId).toBe('c');
    expect(cache.size).toEqual({ ships: 2, channels: 8 });
  });

  it('counts a refreshed layout once, and never evicts the ship it just stored, however large', () => {
    const cache = new CatalogCache(10);
    cache.set(layout('a', 3));
    cache.set(layout('a', 5)); // the same ship, grown: replaced, not added
    expect(cache.size).toEqual({ ships: 1, channels: 5 });
    cache.set(layout('huge', 50));
    expect(cache.get('huge')?.channels.size).toBe(50);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toEqual({ ships: 1, channels: 50 });
    cache.clear();
    expect(cache.size).toEqual({ ships: 0, channels: 0 });
  });

  it('forgets one ship and its channels, and nothing for a ship it does not hold', () => {
    const cache = new CatalogCache(10);
    cache.set(layout('a', 3));
    cache.set(layout('b', 4));
    cache.forget('a');
    cache.forget('a');
    cache.forget("a'; --");
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toEqual({ ships: 1, channels: 4 });
  });
});
