import { describe, expect, it } from 'vitest';
import { ChannelPicker, ShipPicker, defaultFormatMix, formatOf, imoCheckDigit } from './fleet.ts';
import { realImoNumbers, realLocalIds } from './reference-data.ts';

const validImo = (id: string): boolean => /^IMO\d{7}$/.test(id) && imoCheckDigit(id.slice(3, 9)) === Number(id[9]);

describe('reference data', () => {
  it('loads the distinct real Local IDs and IMO numbers from the package folder', () => {
    expect(realLocalIds()).toHaveLength(20_052);
    expect(new Set(realLocalIds()).size).toBe(20_052);
    expect(realImoNumbers().length).toBeGreaterThanOrEqual(10);
    expect(realImoNumbers().every(validImo)).toBe(true);
  });
});

describe('ShipPicker', () => {
  it('starts with the real IMO numbers and continues with distinct synthetic valid ones', () => {
    const ships = new ShipPicker(7).take(200);
    expect(ships.slice(0, realImoNumbers().length)).toEqual(realImoNumbers());
    expect(new Set(ships).size).toBe(200);
    expect(ships.every(validImo)).toBe(true);
  });

  it('is deterministic per seed', () => {
    expect(new ShipPicker(7).take(50)).toEqual(new ShipPicker(7).take(50));
    expect(new ShipPicker(7).take(50)).not.toEqual(new ShipPicker(8).take(50));
  });
});

describe('ChannelPicker', () => {
  it('draws distinct real Local IDs, a different subset per ship, the same for the same seed', () => {
    const a = new ChannelPicker(1, 'IMO9074729').take(500);
    expect(new Set(a).size).toBe(500);
    const pool = new Set(realLocalIds());
    expect(a.every((id) => pool.has(id))).toBe(true);
    expect(new ChannelPicker(1, 'IMO9074729').take(500)).toEqual(a);
    expect(new ChannelPicker(1, 'IMO9785811').take(500)).not.toEqual(a);
    expect(new ChannelPicker(2, 'IMO9074729').take(500)).not.toEqual(a);
  });

  it('extends the same permutation, so new channels never repeat and the pool can be exhausted', () => {
    const picker = new ChannelPicker(3, 'IMO9704611');
    const first = picker.take(10);
    expect(new ChannelPicker(3, 'IMO9704611').take(11).slice(0, 10)).toEqual(first);
    const all = [...first, ...picker.take(30_000)];
    expect(all).toHaveLength(20_052);
    expect(new Set(all).size).toBe(20_052);
    expect(picker.next()).toBeUndefined();
  });
});

describe('formatOf', () => {
  it('fixes a format per channel id with the default 70/15/10/5 mix', () => {
    const counts = { Decimal: 0, Integer: 0, Boolean: 0, String: 0 };
    for (const id of realLocalIds()) counts[formatOf(1, id)]++;
    for (const format of Object.keys(counts) as (keyof typeof counts)[]) {
      expect(counts[format] / 20_052).toBeCloseTo(defaultFormatMix[format], 1);
    }
    const id = realLocalIds()[42]!;
    expect(formatOf(1, id)).toBe(formatOf(1, id));
  });

  it('honours a custom mix', () => {
    expect(realLocalIds().slice(0, 100).every((id) => formatOf(1, id, { Decimal: 0, Integer: 0, Boolean: 0, String: 1 }) === 'String')).toBe(true);
  });
});
