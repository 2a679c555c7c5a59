// Small, fast, deterministic randomness. Every generated value is a pure function of the seed and the
// row's coordinates, so the same seed gives the same rows whatever order or batch size produced them.

/** 32-bit hash of any strings/numbers (FNV-1a over the parts, then a murmur3 finaliser). */
export function hash32(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? String(part) : part;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // part separator, so ('ab','c') and ('a','bc') differ
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3's avalanche step: a cheap 32-bit to 32-bit mix. */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes two 32-bit numbers into a uniform float in [0, 1). Used per row, so it avoids strings. */
export function unit(a: number, b: number): number {
  return fmix32(Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ fmix32(b + 0x632be5ab)) / 4294967296;
}

/** A seeded generator (mulberry32) for sequences of choices: pickers and the live schedule. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** Rounds `expected` up or down at random so the long-run average is exact (e.g. 0.3 → 1 in 30% of calls). */
  count(expected: number): number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    count: (expected) => {
      const whole = Math.floor(expected);
      return whole + (next() < expected - whole ? 1 : 0);
    },
  };
}
