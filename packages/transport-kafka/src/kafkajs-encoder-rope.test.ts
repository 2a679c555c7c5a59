import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { installRope, ROPE_MIN_BYTES, type EncoderClass, type KafkajsEncoder } from './kafkajs-encoder-rope.ts';

// Two private copies of kafkajs's Encoder (the module cache cleared in between): one patched, one as shipped.
// The same random programs of writes — kafkajs's own methods, nested encoders, reads of `.buffer` midway —
// must give the same bytes on both.
const require = createRequire(import.meta.url);
const PATH = require.resolve('kafkajs/src/protocol/encoder.js');
function freshEncoderClass(): EncoderClass {
  delete require.cache[PATH];
  return require(PATH) as EncoderClass;
}
const Pristine = freshEncoderClass();
const Roped = freshEncoderClass();
installRope(Roped);

interface Enc extends KafkajsEncoder {
  writeInt8(v: number): Enc;
  writeInt16(v: number): Enc;
  writeInt32(v: number): Enc;
  writeVarInt(v: number): Enc;
  writeString(v: string): Enc;
  writeBytes(v: Buffer): Enc;
  writeVarIntBytes(v: Buffer): Enc;
  writeArray(v: Enc[], type: 'object'): Enc;
  writeEncoder(v: KafkajsEncoder): Enc;
}
type Step = (e: Enc, make: () => Enc) => void;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function bytes(n: number, fill: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (fill + i * 31) & 0xff;
  return b;
}

/** A random program; nested encoders get programs of their own (depth-limited). */
function program(r: () => number, depth: number): Step[] {
  const steps: Step[] = [];
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    const pick = Math.floor(r() * 9);
    const size = r() < 0.4 ? ROPE_MIN_BYTES + Math.floor(r() * 3 * ROPE_MIN_BYTES) : Math.floor(r() * 300);
    const fill = Math.floor(r() * 256);
    const v = Math.floor(r() * 2 ** 31) - 2 ** 30;
    if (pick === 0) steps.push((e) => e.writeInt8(v & 0x7f));
    else if (pick === 1) steps.push((e) => e.writeInt32(v));
    else if (pick === 2) steps.push((e) => e.writeVarInt(v));
    else if (pick === 3) steps.push((e) => e.writeString('ship-' + String(v)));
    else if (pick === 4) steps.push((e) => e.writeBytes(bytes(size, fill)));
    else if (pick === 5) steps.push((e) => e.writeVarIntBytes(bytes(size, fill)));
    else if (pick === 6) steps.push((e) => void e.buffer); // kafkajs reads .buffer, then may write on (CRC)
    else if (depth < 3) {
      const inner = [program(r, depth + 1), program(r, depth + 1)];
      const build = (make: () => Enc): Enc[] =>
        inner.map((p) => {
          const x = make();
          for (const s of p) s(x, make);
          return x;
        });
      if (pick === 7) steps.push((e, make) => e.writeEncoder(build(make)[0]!));
      else steps.push((e, make) => e.writeArray(build(make), 'object'));
    }
  }
  return steps;
}

function run(Encoder: EncoderClass, steps: Step[]): { buffer: Buffer; size: number } {
  const make = (): Enc => new (Encoder as unknown as new () => Enc)();
  const e = make();
  for (const s of steps) s(e, make);
  return { size: e.size(), buffer: Buffer.from(e.buffer) };
}

describe('kafkajs Encoder with large pieces kept by reference', () => {
  it('writes the same bytes, and reports the same size, as the Encoder kafkajs ships', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const steps = program(rng(seed), 0);
      const want = run(Pristine, steps);
      const got = run(Roped, steps);
      expect(got.size, `seed ${seed}`).toBe(want.size);
      expect(got.buffer.equals(want.buffer), `seed ${seed}`).toBe(true);
    }
  });

  it('does not copy a large value until its bytes are read, and then only once', () => {
    const make = (): Enc => new (Roped as unknown as new () => Enc)();
    const value = bytes(300_000, 1);
    const record = make().writeVarIntBytes(value);
    const outer = make().writeInt32(7).writeEncoder(make().writeInt16(1).writeEncoder(record));
    expect(outer.size()).toBe(4 + 2 + record.size());
    const joined = outer.buffer;
    expect(joined.subarray(joined.length - value.length).equals(value)).toBe(true);
    expect(outer.buffer.buffer).toBe(joined.buffer); // read twice (size, then socket write): joined once
    // Until joined, the value was referenced, not copied: changing it shows in the output.
    const live = make().writeBytes(value);
    value[0] = 99;
    expect(live.buffer[4]).toBe(99);
  });

  it('still refuses what is not an encoder', () => {
    const e = new (Roped as unknown as new () => Enc)();
    expect(() => e.writeEncoder({} as unknown as Enc)).toThrow('instance of Encoder');
    expect(() => e.writeEncoderArray([{}] as unknown as Enc[])).toThrow('instance of Encoder');
  });
});
