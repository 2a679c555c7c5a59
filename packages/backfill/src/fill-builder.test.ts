import { describe, expect, it } from 'vitest';
import { fillBlockProblem, fillChanges } from '@fleetpivot/events';
import { fillMessages } from './chunk-messages.ts';
import { INT64_MAX, INT64_MIN, parseRows, PG_EPOCH_US, randomInts, type NarrowInput } from './copy-fixture.ts';
import type { FillArrays } from './fill-arrays.ts';
import { defaultFillCaps, FillBuilder, type FillCells } from './fill-builder.ts';
import { timestampUs } from './narrow-row.ts';

/** Feeds rows, taking the cells whenever a cap is reached; checks the caps hold after every row. */
function feed(builder: FillBuilder, rows: readonly NarrowInput[], maxCells: number, maxHeld = Infinity): { taken: FillCells[]; irregular: number } {
  const taken: FillCells[] = [];
  let irregular = 0;
  parseRows(
    rows,
    (f) => {
      if (!builder.add(f)) irregular++;
      expect(builder.cells).toBeLessThanOrEqual(maxCells);
      expect(builder.bytes).toBeLessThan(maxHeld);
      if (builder.full) taken.push(builder.take());
    },
    4096,
  );
  if (builder.cells > 0) taken.push(builder.take());
  return { taken, irregular };
}

const unixOf = (c: FillCells, row: number) => BigInt.asIntN(64, (BigInt(c.timeHi[row]!) << 32n) | BigInt(c.timeLo[row]!));

describe('FillBuilder', () => {
  it('never holds more than its cell cap, fed ten times as much', () => {
    const rows: NarrowInput[] = [];
    for (let t = 0n; t < 500n; t++) for (let c = 0; c < 20; c++) rows.push({ channel: `/c/${c}`, time: t * 1_000_000n, format: 'Integer', long: t });
    const { taken, irregular } = feed(new FillBuilder({ maxCells: 1_000, maxBytes: 1 << 30 }), rows, 1_000);
    expect(irregular).toBe(0);
    expect(taken).toHaveLength(10);
    expect(taken.every((c) => c.cells === 1_000)).toBe(true);
  });

  it('never holds much more than its byte cap, for long strings', () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ channel: `/s/${i % 3}`, time: BigInt(i), format: 'String', str: 's'.repeat(10_000) }));
    const builder = new FillBuilder({ maxCells: 1_000_000, maxBytes: 100_000 });
    const { taken } = feed(builder, rows, 1_000_000, 100_000 + 10_200);
    expect(taken.length).toBeGreaterThanOrEqual(36);
    expect(taken.reduce((n, c) => n + c.cells, 0)).toBe(400);
  });

  it('after a take, a cell of the same channel and time is regular again (a later block carries it)', () => {
    const rows: NarrowInput[] = Array.from({ length: 30 }, (_, i) => ({ channel: 'a', time: BigInt(i % 10), format: 'Decimal', double: i }));
    const { taken, irregular } = feed(new FillBuilder({ maxCells: 10, maxBytes: 1 << 30 }), rows, 10);
    expect([taken.length, irregular]).toEqual([3, 0]);
  });

  it('maps times exactly as timestampUs, the int64 extremes kept', () => {
    const raws = [INT64_MAX, INT64_MIN, 0n, -1n, 1n, -PG_EPOCH_US, -PG_EPOCH_US - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 62n, -(2n ** 62n), 2n ** 63n - 2n - PG_EPOCH_US];
    // Spread over PostgreSQL's whole range (4714 BC .. 294276 AD), both sides of the exact-number boundary.
    for (let i = 0; i < 200; i++) raws.push(-211_813_488_000_000_000n + BigInt(i) * 46_000_000_000_000_000n + BigInt((i * 2_654_435_761) % 1_000_003));
    const rows = raws.map((time, i) => ({ channel: `c${i % 5}`, time, format: 'Boolean', bool: i % 2 === 0 }));
    const { taken } = feed(new FillBuilder(defaultFillCaps(100_000)), rows, 400_000);
    const c = taken[0]!;
    expect(c.times).toBe(raws.length);
    raws.forEach((raw, i) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(raw);
      expect(unixOf(c, c.cellRow[i]!), String(raw)).toBe(BigInt(timestampUs(b)));
    });
  });

  it('refuses times whose Unix microseconds do not fit int64 (or would equal +infinity), NUL in a channel', () => {
    const last = 2n ** 63n - 1n - PG_EPOCH_US;
    const rows: NarrowInput[] = [
      { channel: 'a', time: last, format: 'Decimal', double: 1 },
      { channel: 'a', time: last + 1n, format: 'Decimal', double: 1 },
      { channel: 'a', time: INT64_MAX - 1n, format: 'Decimal', double: 1 },
      { channel: 'a\u0000', time: 0n, format: 'Decimal', double: 1 },
      { channel: 'a', time: last - 1n, format: 'Decimal', double: 1 },
      { channel: 'a', time: INT64_MAX, format: 'Decimal', double: 1 },
    ];
    const { taken, irregular } = feed(new FillBuilder(defaultFillCaps(1)), rows, 10_000);
    expect([taken[0]!.cells, irregular]).toEqual([2, 4]);
  });

  it('maps each time to one row whatever sequence each channel follows, and catches a repeat at the end', () => {
    // Channel-major: c0 ascending, c1 the same times descending, c2 every other time, c3 ascending again; then a
    // repeat of c0's first time (its row ids stop increasing).
    const times = [...Array(50).keys()].map((t) => BigInt(t) * 1_000_000n);
    const seq: bigint[][] = [times, [...times].reverse(), times.filter((_, i) => i % 2 === 0), times];
    const rows: NarrowInput[] = seq.flatMap((ts, c) => ts.map((time) => ({ channel: `c${c}`, time, format: 'Integer' as const, long: time + BigInt(c) })));
    rows.push({ channel: 'c0', time: 0n, format: 'Integer', long: 7n });
    const { taken, irregular } = feed(new FillBuilder(defaultFillCaps(100_000)), rows, 400_000);
    const c = taken[0]!;
    expect([c.times, c.cells, irregular]).toEqual([50, 175, 1]);
    for (let g = 0; g < c.cells; g++) {
      const value = c.vals.subarray(g * 8, g * 8 + 8);
      expect(Buffer.from(value).readBigInt64BE() - BigInt(c.cellCol[g]!)).toBe(unixOf(c, c.cellRow[g]!) - PG_EPOCH_US);
    }
  });

  it('finds duplicates in any arrival order', () => {
    // Shuffled (channel, time) pairs, each twice: exactly one of each pair is a cell.
    const rows: NarrowInput[] = [];
    for (let t = 0n; t < 60n; t++) for (let c = 0; c < 7; c++) rows.push({ channel: `c${c}`, time: t, format: 'Integer', long: t }, { channel: `c${c}`, time: t, format: 'Integer', long: -t });
    for (let i = rows.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    const { taken, irregular } = feed(new FillBuilder(defaultFillCaps(100_000)), rows, 400_000);
    expect([taken[0]!.cells, irregular]).toEqual([420, 420]);
    const [m] = [...fillMessages(taken[0]!, { maxCells: 1_000, maxBytes: 1_000_000 })];
    expect(fillBlockProblem(m!.block)).toBeNull();
    expect(fillChanges(m!.block)).toHaveLength(420);
    // Many small shuffles: repeats at every position, before and after a column's row ids stop increasing.
    for (let seed = 1; seed <= 300; seed++) {
      const rand = randomInts(seed);
      const small: NarrowInput[] = [];
      for (let t = 0n; t < 5n; t++) for (let c = 0; c < 3; c++) small.push({ channel: `c${c}`, time: t, format: 'Integer', long: t }, { channel: `c${c}`, time: t, format: 'Integer', long: -t });
      for (let i = small.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [small[i], small[j]] = [small[j]!, small[i]!];
      }
      const out = feed(new FillBuilder(defaultFillCaps(100_000)), small, 400_000);
      expect([out.taken[0]!.cells, out.irregular], `seed ${seed}`).toEqual([15, 15]);
    }
  });
});

describe('fillMessages', () => {
  it('sends a cell larger than the byte cap alone rather than not at all', () => {
    const rows = [
      { channel: 'small', time: 0n, format: 'String', str: 'x' },
      { channel: 'huge', time: 0n, format: 'String', str: 'y'.repeat(50_000) },
      { channel: 'small', time: 1n, format: 'String', str: 'z' },
    ];
    const { taken } = feed(new FillBuilder(defaultFillCaps(1)), rows, 10_000);
    const messages = [...fillMessages(taken[0]!, { maxCells: 100, maxBytes: 10_000 })];
    expect(messages.map((m) => [m.cells, m.block.times_us.length / 8, m.block.columns.map((c) => c.data_channel_id)])).toEqual([
      [1, 1, ['small']],
      [1, 1, ['huge']],
      [1, 1, ['small']],
    ]);
  });

  it('packs sparse columns by their real presence, not their time span', () => {
    // 200 channels, each present at one time only: a message of many times holds few columns.
    const rows = Array.from({ length: 200 }, (_, i) => ({ channel: `/sparse/${i}`, time: BigInt(i), format: 'Decimal', double: i }));
    const { taken } = feed(new FillBuilder(defaultFillCaps(1)), rows, 10_000);
    const messages = [...fillMessages(taken[0]!, { maxCells: 1_000, maxBytes: 100_000 })];
    expect(messages).toHaveLength(1);
    expect(messages[0]!.block.columns).toHaveLength(200);
  });
});

describe('FillBuilder arrays recycled across takes', () => {
  /** Every message of some cells as plain data (the bytes a consumer would get). */
  const messagesOf = (c: FillCells) => [...fillMessages(c, { maxCells: 300, maxBytes: 20_000 })].map((m) => JSON.stringify(m, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));

  it('fills recycled arrays (sized by the largest take) and builds exactly what fresh arrays build', () => {
    // Takes of different sizes and formats, a string-heavy one, times out of order: stale bytes left by a larger
    // take in the recycled arrays must never show.
    const batches: NarrowInput[][] = [2_000, 50, 700, 3, 1_500].map((n, b) =>
      Array.from({ length: n }, (_, i) => {
        const time = BigInt(((i * 7919) % n) * 1_000_000 + b);
        const channel = `/b${b}/c${i % 13}`;
        const kind = (i + b) % 4;
        return kind === 0 ? { channel, time, format: 'Decimal', double: i / 7 } : kind === 1 ? { channel, time, format: 'Integer', long: BigInt(i * b) } : kind === 2 ? { channel, time, format: 'Boolean', bool: i % 3 === 0 } : { channel, time, format: 'String', str: `v${i}`.repeat(b + 1) };
      }),
    );
    const spare: FillArrays[] = [];
    const reused = new FillBuilder({ maxCells: 5_000, maxBytes: 1 << 30 }, spare);
    const seenArrays = new Set<ArrayBufferLike>();
    for (const rows of batches) {
      const fresh = feed(new FillBuilder({ maxCells: 5_000, maxBytes: 1 << 30 }), rows, 5_000).taken;
      const got = feed(reused, rows, 5_000).taken;
      expect(got.map(messagesOf)).toEqual(fresh.map(messagesOf));
      for (const c of got) {
        seenArrays.add(c.arrays!.cellCol.buffer);
        reused.recycle(c);
        expect(c.arrays).toBeUndefined();
        reused.recycle(c); // a second recycle gives nothing twice
      }
      expect(spare).toHaveLength(1);
    }
    // The first take's arrays grew once to fit 2,000 cells; every later take reused them.
    expect(seenArrays.size).toBe(1);
  });
});

describe('FillBuilder array growth', () => {
  it('grows a set by a quarter, so one take just over a power of two does not double every set of the job', () => {
    // 2^17 + 1 cells: doubling from 1,024 ended at 262,144 for all later takes to keep.
    const rows = Array.from({ length: 131_073 }, (_, i) => ({ channel: `/c${i % 1_000}`, time: BigInt(Math.floor(i / 1_000)), format: 'Integer', long: BigInt(i) }));
    const { taken } = feed(new FillBuilder(defaultFillCaps(100_000)), rows, 400_000);
    expect(taken).toHaveLength(1);
    const arrays = taken[0]!.arrays!;
    expect(arrays.cellCol.length).toBeGreaterThanOrEqual(131_073);
    expect(arrays.cellCol.length).toBeLessThanOrEqual(Math.ceil(131_073 * 1.25));
    expect(arrays.vals.length).toBe(arrays.cellCol.length * 8);
    expect(arrays.timeHi.length).toBeGreaterThanOrEqual(132);
    expect(arrays.timeHi.length).toBeLessThan(1_024 + 132);
  });
});

describe('FillBuilder recycling an empty take', () => {
  it('does not hand on the empty arrays of a take of nothing (they could never grow)', () => {
    const spare: FillArrays[] = [];
    const builder = new FillBuilder({ maxCells: 100, maxBytes: 1 << 30 }, spare);
    builder.recycle(builder.take());
    expect(spare).toHaveLength(0);
    const rows = Array.from({ length: 50 }, (_, i) => ({ channel: 'a', time: BigInt(i), format: 'Integer', long: BigInt(i) }));
    const { taken } = feed(builder, rows, 100);
    expect(taken[0]!.cells).toBe(50);
    expect([...taken[0]!.cellRow].map((r) => taken[0]!.timeLo[r])).toEqual(rows.map((_, i) => Number((BigInt(i) + PG_EPOCH_US) & 0xffffffffn)));
  });
});

describe('FillBuilder duplicate check', () => {
  /** Feeds `rows`; returns the (channel, raw time) of every cell taken and the irregular count. */
  const cellsOf = (rows: NarrowInput[]) => {
    const { taken, irregular } = feed(new FillBuilder(defaultFillCaps(100_000)), rows, 400_000);
    const keys = taken.flatMap((c) => Array.from({ length: c.cells }, (_, g) => `${c.channels[c.cellCol[g]!]}@${unixOf(c, c.cellRow[g]!) - PG_EPOCH_US}`));
    return { keys, irregular };
  };

  it('takes each (channel, time) once, whatever order its cells arrive in, repeats anywhere', () => {
    const rand = randomInts(11);
    // Orders that keep times rising per channel with gaps (rows then stop rising), descending ones, random ones,
    // and mixes of them per channel, with repeats placed at random.
    for (let trial = 0; trial < 40; trial++) {
      const rows: NarrowInput[] = [];
      for (let c = 0; c < 6; c++) {
        let times = [...Array(40).keys()].filter(() => rand(4) > 0).map((t) => BigInt(t) * 1_000_000n);
        const order = (trial + c) % 3;
        if (order === 1) times = times.reverse();
        if (order === 2) times = times.sort(() => rand(3) - 1);
        for (const time of times) rows.push({ channel: `c${c}`, time, format: 'Integer', long: time });
      }
      const repeats = 1 + rand(4);
      for (let k = 0; k < repeats; k++) rows.splice(rand(rows.length + 1), 0, { ...rows[rand(rows.length)]! });
      const { keys, irregular } = cellsOf(rows);
      expect(rows.length).toBeGreaterThan(100);
      const distinct = new Set(rows.map((r) => `${r.channel}@${r.time}`));
      expect(new Set(keys), `trial ${trial}`).toEqual(distinct);
      expect(keys.length, `trial ${trial}`).toBe(distinct.size);
      expect(irregular, `trial ${trial}`).toBe(rows.length - distinct.size);
    }
  });
  it('catches repeats in a channel whose times rise while its row ids do not (history starting later elsewhere)', () => {
    // c0 lacks the oldest time, so c1's later times have lower row ids than its first. Times before 2000 (a
    // negative high word) and either side of a low-word carry check the two-word comparison.
    const times = [-(2n ** 40n), -1n, 0n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 33n + 5n];
    const rows: NarrowInput[] = [
      ...times.slice(1).map((time) => ({ channel: 'c0', time, format: 'Integer' as const, long: 1n })),
      ...times.map((time) => ({ channel: 'c1', time, format: 'Integer' as const, long: 2n })),
      ...times.map((time) => ({ channel: 'c1', time, format: 'Integer' as const, long: 3n })),
      { channel: 'c0', time: times[1]!, format: 'Integer', long: 4n },
    ];
    const { keys, irregular } = cellsOf(rows);
    expect(keys.sort()).toEqual([...times.slice(1).map((t) => `c0@${t}`), ...times.map((t) => `c1@${t}`)].sort());
    expect(irregular).toBe(times.length + 1);
  });
});
