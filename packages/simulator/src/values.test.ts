import { describe, expect, it } from 'vitest';
import { realLocalIds } from './reference-data.ts';
import { createChannel } from './values.ts';
import type { ChannelModel } from './values.ts';

const channels: ChannelModel[] = realLocalIds().slice(0, 400).map((id) => createChannel(5, 'IMO9074729', id));
const setColumns = (c: ChannelModel, step: number): string[] =>
  Object.entries(c.value(step)).filter(([, v]) => v !== null).map(([k]) => k);

describe('channel values', () => {
  it('sets exactly the column named by value_format', () => {
    const column = { Decimal: 'double_v', Integer: 'long_v', String: 'str_v', Boolean: 'bool_v' };
    for (const c of channels) for (const step of [0, 1, 99_999]) expect(setColumns(c, step)).toEqual([column[c.format]]);
  });

  it('is a pure function of seed, ship, channel and step', () => {
    const again = realLocalIds().slice(0, 400).map((id) => createChannel(5, 'IMO9074729', id));
    for (let i = 0; i < channels.length; i++) expect(again[i]!.value(1234)).toEqual(channels[i]!.value(1234));
    const otherShip = createChannel(5, 'IMO9785811', realLocalIds()[0]!);
    const differs = [1, 2, 3, 4, 5].some((s) => JSON.stringify(otherShip.value(s)) !== JSON.stringify(channels[0]!.value(s)));
    expect(differs).toBe(true);
  });

  it('gives corrections that differ from the original (booleans flip)', () => {
    for (const c of channels.filter((x) => x.format === 'Boolean')) expect(c.value(10, 1).bool_v).toBe(!c.value(10).bool_v);
    const decimal = channels.find((x) => x.format === 'Decimal')!;
    expect([1, 2, 3].some((r) => decimal.value(10, r).double_v !== decimal.value(10).double_v)).toBe(true);
  });

  it('keeps large integer counters exact beyond 2^53 as decimal strings', () => {
    const ids = realLocalIds();
    let found: ChannelModel | undefined;
    for (let i = 0; i < ids.length && !found; i++) {
      const c = createChannel(5, 'IMO9074729', ids[i]!);
      if (c.format === 'Integer' && BigInt(c.value(0).long_v!) > 2n ** 53n) found = c;
    }
    expect(found).toBeDefined();
    expect(BigInt(found!.value(1).long_v!) - BigInt(found!.value(0).long_v!)).toBe(1n);
  });

  it('produces doubles that round-trip through text unchanged', () => {
    for (const c of channels.filter((x) => x.format === 'Decimal')) {
      const v = c.value(77).double_v!;
      expect(Number(String(v))).toBe(v);
      expect(Number.isFinite(v)).toBe(true);
    }
  });
});
