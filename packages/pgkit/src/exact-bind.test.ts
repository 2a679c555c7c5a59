import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { installExactBind, pgProtocolBind, serializeBind, type BindConfig } from './exact-bind.ts';

// Our Bind writer against pg-protocol's own, on the parameter shapes node-postgres sends: NULL, Buffers (binary
// arrays, megabytes), text with multi-byte characters, empty values, named or unnamed statements and portals,
// with node-postgres's own value mapper (dates, arrays, objects to text).
const requireFromPg = createRequire(createRequire(import.meta.url).resolve('pg'));
const prepareValue = (requireFromPg('./utils.js') as { prepareValue: (v: unknown) => unknown }).prepareValue;

let seed = 5;
const rand = (n: number): number => {
  seed ^= seed << 13; // xorshift32: exact in int32
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

function randomValue(): unknown {
  switch (rand(8)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return Buffer.from(Array.from({ length: rand(3) === 0 ? 0 : rand(70_000) }, () => rand(256)));
    case 3:
      return '';
    case 4:
      return '船舶/dnv-v2/vis-3-4a/411.1/C101/meta/qty-temperature'.repeat(1 + rand(50));
    case 5:
      return rand(1_000_000) - 500_000;
    case 6:
      return new Date(Date.UTC(2025, 0, 1, 0, 0, rand(100_000)));
    default:
      return [1, null, 'a"b', rand(10)];
  }
}

describe('serializeBind', () => {
  const original = pgProtocolBind();

  it("writes exactly pg-protocol's bytes, whatever the values", () => {
    for (let trial = 0; trial < 300; trial++) {
      const values = Array.from({ length: rand(40) }, randomValue);
      const config: BindConfig = { values, valueMapper: (v) => prepareValue(v), binary: rand(2) === 0 };
      if (rand(2) === 0) config.statement = `fp_${rand(1e6)}`;
      if (rand(4) === 0) config.portal = `p${rand(100)}`;
      const ours = serializeBind(config);
      const theirs = Buffer.from(original(config)); // a view of pg-protocol's writer: copy before the next call
      expect(ours.equals(theirs), `trial ${trial}`).toBe(true);
      expect(ours.length).toBe(1 + ours.readInt32BE(1));
    }
    expect(serializeBind().equals(Buffer.from(original()))).toBe(true);
  });

  it('keeps the Int16 counts as pg-protocol does past 32,767 parameters', () => {
    const config = { values: Array.from({ length: 40_000 }, (_, i) => (i % 3 === 0 ? null : String(i))) };
    expect(serializeBind(config).equals(Buffer.from(original(config)))).toBe(true);
  });

  it('throws what pg-protocol throws for a value that is neither text, a Buffer nor NULL', () => {
    const config = { values: [Buffer.from('x'), 42] };
    expect(() => original(config)).toThrow(TypeError);
    expect(() => serializeBind(config)).toThrow(TypeError);
    // pg-protocol's shared writer is left clean after its throw: the next message is still right.
    expect(serializeBind({ values: ['ok'] }).equals(Buffer.from(original({ values: ['ok'] })))).toBe(true);
  });

  it("replaces node-postgres's Bind writer once, keeping the original reachable", () => {
    installExactBind();
    installExactBind();
    const serialize = (requireFromPg('pg-protocol') as { serialize: { bind: unknown } }).serialize;
    expect(serialize.bind).toBe(serializeBind);
    expect(pgProtocolBind()).toBe(original);
  });
});
