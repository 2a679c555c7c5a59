import { describe, expect, it } from 'vitest';
import {
  buildFillBlock,
  ChangeBatchCodec,
  changeBatchV1,
  changeBatchV2,
  fillBlockProblem,
  fillChanges,
  fillTimes,
  type ChangeBatch,
  type FillBlock,
  type FillCell,
} from './index.ts';

const CH = '/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature';
const cells: FillCell[] = [
  { channel: CH, timeUs: 1_700_000_000_000_000, value: { format: 'Decimal', value: 412.5 } },
  { channel: CH, timeUs: 1_700_000_001_000_000, value: { format: 'Decimal', value: -0 } },
  { channel: 'int', timeUs: 1_700_000_001_000_000, value: { format: 'Integer', value: 9223372036854775807n } },
  { channel: 'int', timeUs: -9223372036854775808n, value: { format: 'Integer', value: -42 } },
  { channel: 'str', timeUs: 1_700_000_000_000_000, value: { format: 'String', value: "'; DROP TABLE x; --\t\n\\ 🚢" } },
  { channel: 'bool', timeUs: 9223372036854775807n, value: { format: 'Boolean', value: false } },
  { channel: 'nan', timeUs: 5, value: { format: 'Decimal', value: Number.NaN } },
];

const batch = (fills: FillBlock | null): ChangeBatch => ({
  ship_id: 'IMO9074729',
  source: { kind: 'BACKFILL', lsn: '0/16B3748', commit_time_us: 1_700_000_000_200_000, xid: null, job_id: 'j', chunk_id: 'j/1' },
  changes: [],
  fills,
});

describe('FillBlock', () => {
  it('round-trips through the codec and expands to the BACKFILL changes it stands for', () => {
    const block = buildFillBlock(cells);
    expect(fillBlockProblem(block)).toBeNull();
    expect(fillTimes(block)).toEqual([-9223372036854775808n, 5, 1_700_000_000_000_000, 1_700_000_001_000_000, 9223372036854775807n]);
    const codec = new ChangeBatchCodec();
    const back = codec.decode(codec.encode(batch(block)));
    const changes = fillChanges(back.fills!);
    expect(changes).toHaveLength(cells.length);
    const byKey = new Map(changes.map((c) => [`${c.data_channel_id}@${c.created_time_us}`, c]));
    for (const c of cells) {
      const got = byKey.get(`${c.channel}@${c.timeUs}`)!;
      expect(got.op).toBe('BACKFILL');
      expect(got.value_format).toBe(c.value.format);
      const v = got.double_v ?? got.long_v ?? got.str_v ?? got.bool_v;
      if (typeof c.value.value === 'number' && Number.isNaN(c.value.value)) expect(v).toBeNaN();
      else expect(Object.is(v, c.value.value)).toBe(true);
    }
  });

  it('a batch without fills encodes as before (fills null) and v1 messages read with fills null', () => {
    const codec = new ChangeBatchCodec();
    expect(codec.decode(codec.encode({ ...batch(null), fills: undefined })).fills).toBeNull();
    const v1 = new ChangeBatchCodec(1);
    expect(codec.decode(v1.encode(batch(null)), 1).fills).toBeNull();
  });

  it('the v1 reader still reads v2 messages (it does not see the block: upgrade consumers first)', () => {
    const v2 = new ChangeBatchCodec(2);
    const v1 = new ChangeBatchCodec(1, { 1: changeBatchV1, 2: changeBatchV2 });
    const decoded = v1.decode(v2.encode(batch(buildFillBlock(cells))), 2);
    expect(decoded.ship_id).toBe('IMO9074729');
    expect('fills' in decoded).toBe(false);
  });

  describe('hostile blocks are named, never guessed at', () => {
    const good = () => buildFillBlock(cells);
    const cases: [string, (b: FillBlock) => void, RegExp][] = [
      ['ragged times', (b) => void (b.times_us = b.times_us.subarray(0, 7)), /multiple of 8/],
      ['unsorted times', (b) => void (b.times_us = Buffer.concat([b.times_us.subarray(8, 16), b.times_us.subarray(0, 8), b.times_us.subarray(16)])), /strictly ascending/],
      ['duplicate time', (b) => void (b.times_us = Buffer.concat([b.times_us.subarray(0, 8), b.times_us.subarray(0, 8), b.times_us.subarray(16)])), /strictly ascending/],
      ['short bitmap', (b) => void (b.columns[0]!.present = Buffer.alloc(0)), /present has 0 bytes/],
      ['bits past the end', (b) => void (b.columns[0]!.present[0] = 0xff), /past the last time|value bytes/],
      ['missing values', (b) => void (b.columns[0]!.values = b.columns[0]!.values.subarray(8)), /value bytes/],
      ['NUL channel', (b) => void (b.columns[0]!.data_channel_id = 'a\u0000b'), /NUL/],
      ['duplicate channel', (b) => void (b.columns[1]!.data_channel_id = b.columns[0]!.data_channel_id), /twice/],
      ['strings on a number column', (b) => void (b.columns[0]!.strings = ['x']), /strings given/],
      ['too few strings', (b) => void (b.columns.find((c) => c.value_format === 'String')!.strings = []), /strings for/],
      ['NUL in a string', (b) => void (b.columns.find((c) => c.value_format === 'String')!.strings = ['a\u0000']), /NUL/],
      ['a time before 4714 BC', (b) => void b.times_us.writeBigInt64BE(-210866803200000001n, 0), /before the earliest timestamptz/],
      ['boolean byte 7', (b) => void (b.columns.find((c) => c.value_format === 'Boolean')!.values[0] = 7), /Boolean byte/],
    ];
    it.each(cases)('%s', (_name, spoil, message) => {
      const b = good();
      spoil(b);
      expect(fillBlockProblem(b)).toMatch(message);
    });
  });

  it('the reference builder refuses two cells for one key and two formats for one channel', () => {
    expect(() => buildFillBlock([cells[0]!, cells[0]!])).toThrow(/two cells/);
    expect(() => buildFillBlock([cells[0]!, { ...cells[1]!, value: { format: 'Integer', value: 1 } }])).toThrow(/two formats/);
  });
});
