import { describe, expect, it } from 'vitest';
import { buildFillBlock, ChangeBatchCodec, fillBlockProblem, fillChanges, NARROW_SELECT, type Change, type ChangeBatch, type FillCell } from '@fleetpivot/events';
import { BinaryCopyParser } from './binary-copy.ts';
import { columnarSink } from './columnar-sink.ts';
import { GROUPED_FIELDS } from './channel-groups.ts';
import { copyStream, groupedCopyStream, groupedOrder, INT64_MAX, INT64_MIN, PG_EPOCH_US, pieces, prng, rawTime, type NarrowInput } from './copy-fixture.ts';
import type { FillCaps } from './fill-builder.ts';
import type { MessageSender } from './message-sender.ts';
import { decodeNarrowRow, timestampUs } from './narrow-row.ts';

const codec = new ChangeBatchCodec();
const source: ChangeBatch['source'] = { kind: 'BACKFILL', lsn: '0/16B3748', commit_time_us: 1_714_564_800_000_000, xid: null, job_id: '7', chunk_id: '7/3' };

interface Sent {
  batch: ChangeBatch;
  rows: number;
  bytes: number;
}

interface RunOptions {
  caps?: FillCaps;
  batchMaxChanges?: number;
  batchMaxBytes?: number;
  piece?: number;
  /** Feed the rows as a grouped read (chunkGroupedCopySql) rather than one tuple a row. */
  grouped?: boolean;
}

/** The columnar sink over a real COPY stream; every message goes through the Avro codec and back. */
async function run(rows: readonly NarrowInput[], o: RunOptions = {}): Promise<Sent[]> {
  const sent: Sent[] = [];
  const sender: MessageSender = {
    rows: 0,
    async send(batch, n) {
      const value = codec.encode(batch);
      sent.push({ batch: codec.decode(value), rows: n, bytes: value.length });
    },
    async drain() {},
    async settle() {},
  };
  const sink = columnarSink({
    sender,
    shipId: 'IMO1',
    source,
    batchMaxChanges: o.batchMaxChanges ?? 50_000,
    batchMaxBytes: o.batchMaxBytes ?? 900_000,
    codec,
    caps: o.caps ?? { maxCells: 1_000_000, maxBytes: 1 << 30 },
    grouped: o.grouped ?? false,
  });
  const parser = new BinaryCopyParser(o.grouped ? GROUPED_FIELDS : NARROW_SELECT.length, sink.row);
  for (const p of pieces(o.grouped ? groupedCopyStream(rows) : copyStream(rows), o.piece ?? 65_536)) {
    parser.push(p);
    await sink.flush();
  }
  parser.end();
  await sink.finish();
  expect(sent.reduce((n, s) => n + s.rows, 0)).toBe(rows.length);
  return sent;
}

const rawTimeUs = (raw: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(raw);
  return timestampUs(b);
};

/** The rule of fill-builder.ts, written the slow way: which rows may be block cells (no cap flush). */
function regularRows(rows: readonly NarrowInput[]): boolean[] {
  const formats = new Map<string, string>();
  const cells = new Set<string>();
  const last = 2n ** 63n - 1n - PG_EPOCH_US;
  return rows.map((r) => {
    if (r.channel === null || r.channel.includes('\u0000') || r.time === null) return false;
    if (r.time >= last && r.time !== INT64_MAX) return false;
    const value = r.format === 'Decimal' ? r.double : r.format === 'Integer' ? r.long : r.format === 'Boolean' ? r.bool : r.format === 'String' ? r.str : undefined;
    if (value === undefined || value === null) return false;
    if (r.format === 'String' && (value as string).includes('\u0000')) return false;
    const known = formats.get(r.channel);
    if (known !== undefined && known !== r.format) return false;
    const key = JSON.stringify([r.channel, String(r.time)]);
    if (cells.has(key)) return false;
    formats.set(r.channel, r.format!);
    cells.add(key);
    return true;
  });
}

function cellOf(r: NarrowInput): FillCell {
  const timeUs = rawTimeUs(r.time!);
  switch (r.format) {
    case 'Decimal':
      return { channel: r.channel!, timeUs, value: { format: 'Decimal', value: r.double! } };
    case 'Integer': {
      const v = r.long!;
      return { channel: r.channel!, timeUs, value: { format: 'Integer', value: v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v } };
    }
    case 'Boolean':
      return { channel: r.channel!, timeUs, value: { format: 'Boolean', value: r.bool! } };
    default:
      return { channel: r.channel!, timeUs, value: { format: 'String', value: r.str! } };
  }
}

const byCell = (a: Change, b: Change) => {
  const x = JSON.stringify([a.data_channel_id, String(a.created_time_us)]);
  const y = JSON.stringify([b.data_channel_id, String(b.created_time_us)]);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Every cell of every block, and the cell-form changes in order, checking each message on the way. */
function unpack(sent: Sent[], o: { batchMaxChanges?: number; batchMaxBytes?: number } = {}): { cells: Change[]; changes: Change[]; blocks: number } {
  const cells: Change[] = [];
  const changes: Change[] = [];
  let blocks = 0;
  for (const s of sent) {
    expect(s.bytes).toBeLessThanOrEqual(o.batchMaxBytes ?? 900_000);
    expect(s.batch.ship_id).toBe('IMO1');
    expect(s.batch.source).toEqual(source);
    if (s.batch.fills) {
      blocks++;
      expect(s.batch.changes).toEqual([]);
      expect(fillBlockProblem(s.batch.fills)).toBeNull();
      const expanded = fillChanges(s.batch.fills);
      expect(expanded.length).toBe(s.rows);
      expect(s.rows).toBeLessThanOrEqual(o.batchMaxChanges ?? 50_000);
      cells.push(...expanded);
    } else {
      expect(s.rows).toBe(s.batch.changes.length);
      expect(s.rows).toBeLessThanOrEqual(o.batchMaxChanges ?? 50_000);
      changes.push(...s.batch.changes);
    }
  }
  return { cells: cells.sort(byCell), changes, blocks };
}

/** What decodeNarrowRow makes of each row. */
function decoded(rows: readonly NarrowInput[]): Change[] {
  const out: Change[] = [];
  const parser = new BinaryCopyParser(NARROW_SELECT.length, (f) => out.push(decodeNarrowRow(f).change));
  parser.push(copyStream(rows));
  parser.end();
  return out;
}

/** Checks the sink's output against the reference encoder and decodeNarrowRow. */
async function check(input: readonly NarrowInput[], o: RunOptions = {}): Promise<{ blocks: number; sent: Sent[] }> {
  const sent = await run(input, o);
  const { cells, changes, blocks } = unpack(sent, o);
  // A grouped read sees the rows group by group: which row of a channel comes first is that order's.
  const rows = o.grouped ? groupedOrder(input).flat() : input;
  const regular = regularRows(rows);
  const expected = fillChanges(buildFillBlock(rows.filter((_, i) => regular[i]).map(cellOf))).sort(byCell);
  expect(cells).toEqual(expected);
  const all = decoded(rows);
  expect(changes).toEqual(all.filter((_, i) => !regular[i]));
  return { blocks, sent };
}

const DOUBLES = [Number.NaN, -0, 0, Infinity, -Infinity, 0.1, 1e308, -5e-324, Number.MAX_SAFE_INTEGER, -1.5];
const LONGS = [INT64_MAX, INT64_MIN, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, -1n, 0n, 42n];
const SPECIAL_TIMES = [
  INT64_MAX, // +infinity
  INT64_MIN, // -infinity
  rawTime(-1n), // just before 1970
  rawTime(-62_135_596_800_000_000n), // 0001-01-01
  -211_813_488_000_000_000n, // 4714-11-24 BC, PostgreSQL's first timestamp
  -1n, // just before 2000
  rawTime(2n ** 53n), // Unix microseconds just past the exact-number range
  rawTime(2n ** 53n - 1n),
  rawTime(-(2n ** 53n)),
  2n ** 63n - 2n - PG_EPOCH_US, // the last time a block can carry
];
const NASTY = ['\t', '\n', '\\', '\\N', '"', "'", '船', '🚢', ' ', 'x'];

function randomString(rand: () => number, long: boolean): string {
  const n = long ? 100_000 : Math.floor(rand() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += NASTY[Math.floor(rand() * NASTY.length)];
  return s;
}

type Order = 'time-major' | 'channel-major' | 'shuffled';

/** Regular rows of `channels` channels (all four formats) over `times` times, about `density` of the cells. */
function randomRows(seed: number, channels: number, times: number, density: number, order: Order, longStrings = 0): NarrowInput[] {
  const rand = prng(seed);
  const formats = ['Decimal', 'Integer', 'String', 'Boolean'] as const;
  const chans = Array.from({ length: channels }, (_, c) => ({ name: `/ch/${c}${c % 7 === 0 ? ' \t船' : ''}`, format: formats[c % 4]! }));
  const timeSet = new Set<bigint>(SPECIAL_TIMES);
  while (timeSet.size < times) timeSet.add(rawTime(1_700_000_000_000_000n + BigInt(Math.floor(rand() * 1e12))) - (rand() < 0.2 ? 10n ** 17n : 0n));
  const ts = [...timeSet].slice(0, times).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows: NarrowInput[] = [];
  let longLeft = longStrings;
  for (const t of ts) {
    for (const ch of chans) {
      if (rand() >= density) continue;
      const r: NarrowInput = { channel: ch.name, time: t, format: ch.format };
      // Values in other columns too: a block carries only the one its format names, as the pivot reads it.
      if (ch.format === 'Decimal' || rand() < 0.1) r.double = DOUBLES[Math.floor(rand() * DOUBLES.length)]!;
      if (ch.format === 'Integer' || rand() < 0.1) r.long = rand() < 0.5 ? LONGS[Math.floor(rand() * LONGS.length)]! : BigInt(Math.floor((rand() - 0.5) * 2 ** 40));
      if (ch.format === 'String' || rand() < 0.1) r.str = randomString(rand, ch.format === 'String' && longLeft-- > 0);
      if (ch.format === 'Boolean' || rand() < 0.1) r.bool = rand() < 0.5;
      rows.push(r);
    }
  }
  if (order === 'channel-major') rows.sort((a, b) => (a.channel! < b.channel! ? -1 : a.channel! > b.channel! ? 1 : 0));
  if (order === 'shuffled') {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
  }
  return rows;
}

describe.each([false, true])('columnar sink, grouped read: %s', (grouped) => {
  describe('blocks', () => {
    it.each<[Order, number]>([
      ['time-major', 1],
      ['channel-major', 2],
      ['shuffled', 3],
    ])('equal the reference encoder for %s rows of every format and edge value', async (order, seed) => {
      const rows = randomRows(seed, 37, 60, 0.7, order, 3);
      const { blocks } = await check(rows, { piece: 997, grouped });
      expect(blocks).toBe(1);
    });

    it('writes the same bytes as the reference encoder (time-major, one message)', async () => {
      const rows = randomRows(4, 20, 30, 0.8, 'time-major');
      const sent = await run(rows, { grouped });
      expect(sent).toHaveLength(1);
      expect(sent[0]!.batch.fills).toEqual(buildFillBlock(rows.map(cellOf)));
    });

    it('cuts a large chunk into messages under both caps, each a run of times', async () => {
      const rows = randomRows(5, 50, 400, 0.9, 'shuffled');
      const o = { batchMaxChanges: 1_000, batchMaxBytes: 12_000 };
      const { blocks, sent } = await check(rows, { ...o, grouped });
      expect(blocks).toBeGreaterThan(rows.length / 1_000);
      // Times do not repeat across messages unless one time alone was too big.
      const seen = new Set<string>();
      for (const s of sent) {
        const t = s.batch.fills!.times_us;
        for (let i = 0; i < t.length; i += 8) {
          const k = t.readBigInt64BE(i).toString();
          expect(seen.has(k)).toBe(false);
          seen.add(k);
        }
      }
    });

    it('splits one time of 5,000 channels of long strings by columns', async () => {
      const rows: NarrowInput[] = Array.from({ length: 5_000 }, (_, c) => ({ channel: `/wide/${c}`, time: 0n, format: 'String', str: `${c}\t\n\\ 船 `.padEnd(1_000, 'x') }));
      const { blocks, sent } = await check(rows, { grouped });
      expect(blocks).toBeGreaterThanOrEqual(6); // 5 MB of strings in messages under 900 kB
      const time = Buffer.alloc(8);
      time.writeBigInt64BE(PG_EPOCH_US);
      for (const s of sent) expect(s.batch.fills!.times_us).toEqual(time);
      const counted = await check(rows.map((r) => ({ ...r, format: 'Decimal', double: 1, str: null })), { batchMaxChanges: 1_200, grouped });
      expect(counted.blocks).toBe(5);
    });
  });

  describe('irregular rows', () => {
    const T = rawTime(1_714_564_800_123_457n);
    const irregular: NarrowInput[] = [
      { channel: null, time: T, format: 'Decimal', double: 1 },
      { channel: 'a', time: null, format: 'Decimal', double: 1 },
      { channel: 'a', time: T, format: 'Bogus', double: 1, long: 2n, str: '3', bool: true },
      { channel: 'a', time: T, format: null, double: 1 },
      { channel: 'a', time: T, format: 'decimal', double: 1 },
      { channel: 'a', time: T, format: 'Decimal', double: null },
      { channel: 'a', time: T, format: 'Decimal', double: null, long: 5n }, // contradicts its format
      { channel: 'b', time: T, format: 'Integer', double: 2.5, str: 'not a number', bool: true },
      { channel: 'c', time: T, format: 'String', str: 'nul \u0000 inside' },
      { channel: 'c', time: T, format: 'String', str: null },
      { channel: 'd', time: T, format: 'Boolean', bool: null, long: 1n },
      { channel: 'nul\u0000channel', time: T, format: 'Decimal', double: 1 },
      { channel: 'e', time: 2n ** 63n - 1n - PG_EPOCH_US, format: 'Decimal', double: 1 }, // would equal +infinity
    ];

    it('sends every row a block cannot carry as decodeNarrowRow decodes it, in order', async () => {
      const rows: NarrowInput[] = [
        { channel: 'x', time: T, format: 'Decimal', double: 1 },
        ...irregular.slice(0, 7),
        { channel: 'x', time: T + 1n, format: 'Decimal', double: 2 },
        { channel: 'x', time: T + 2n, format: 'Integer', long: 3n }, // the channel's format changes mid-chunk
        { channel: 'x', time: T, format: 'Decimal', double: 4 }, // a duplicate (channel, time)
        ...irregular.slice(7),
        { channel: 'x', time: T + 1n, format: 'Decimal', double: 5 }, // duplicate, out of time order
        { channel: 'y', time: T + 2n, format: 'Integer', long: 6n },
        { channel: 'y', time: T + 2n, format: 'Integer', long: 7n }, // duplicate of the previous row
      ];
      const regular = regularRows(rows);
      expect(regular.filter(Boolean)).toHaveLength(3);
      await check(rows, { batchMaxChanges: 4, grouped });
    });

    it('keeps irregular rows in cell-form messages capped by count and bytes', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => ({ channel: `s${i}`, time: T, format: 'String', str: `${'x'.repeat(20_000)}\u0000` }));
      const sent = await run(rows, { batchMaxChanges: 30, batchMaxBytes: 100_000, grouped });
      expect(sent.every((s) => s.batch.fills === null && s.batch.changes.length <= 30 && s.bytes < 130_000)).toBe(true);
      expect(sent.length).toBeGreaterThanOrEqual(10);
    });

    it('rows of a channel after its format changed stay irregular after the builder was emptied at a cap', async () => {
      const rows: NarrowInput[] = [];
      for (let t = 0n; t < 40n; t++) rows.push({ channel: 'p', time: t, format: 'Decimal', double: Number(t) }, { channel: 'q', time: t, format: t < 20n ? 'Integer' : 'Boolean', long: t, bool: true });
      const sent = await run(rows, { caps: { maxCells: 10, maxBytes: 1 << 20 }, piece: 64, grouped });
      const { cells, changes } = unpack(sent);
      expect(cells).toHaveLength(60);
      expect(changes.map((c) => [c.data_channel_id, c.value_format])).toEqual(Array.from({ length: 20 }, () => ['q', 'Boolean']));
    });
  });

  describe('times', () => {
    it('writes ±infinity as the int64 extremes and every other time shifted to the Unix epoch, like timestampUs', async () => {
      const rows = SPECIAL_TIMES.map((time, i) => ({ channel: `t${i}`, time, format: 'Decimal', double: i }));
      const sent = await run(rows, { grouped });
      const t = sent[0]!.batch.fills!.times_us;
      const got = Array.from({ length: t.length / 8 }, (_, i) => t.readBigInt64BE(i * 8));
      const want = SPECIAL_TIMES.map((raw) => BigInt(rawTimeUs(raw))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(got).toEqual(want);
      expect(got[0]).toBe(INT64_MIN);
      expect(got.at(-1)).toBe(INT64_MAX);
    });
  });
});
