import { describe, expect, it } from 'vitest';
import { BinaryCopyParser } from './binary-copy.ts';
import { GROUPED_FIELDS, GroupReader } from './channel-groups.ts';
import { groupedCopyStream, rawTime, type NarrowInput } from './copy-fixture.ts';
import { FillBuilder } from './fill-builder.ts';
import type { NarrowRow } from './narrow-row.ts';

/** The grouped stream of `rows`, with `mutate` applied to its bytes, read into a builder. */
function read(rows: readonly NarrowInput[], mutate: (b: Buffer) => Buffer = (b) => b): { builder: FillBuilder; irregular: NarrowRow[]; reader: GroupReader } {
  const builder = new FillBuilder({ maxCells: 1_000, maxBytes: 1 << 20 });
  const irregular: NarrowRow[] = [];
  const reader = new GroupReader(builder, { onFull: () => builder.take(), onIrregular: (r) => irregular.push(r) });
  const parser = new BinaryCopyParser(GROUPED_FIELDS, reader.group);
  parser.push(mutate(groupedCopyStream(rows)));
  parser.end();
  return { builder, irregular, reader };
}

const T = rawTime(1_714_564_800_000_000n);
const rows: NarrowInput[] = [
  { channel: 'a', time: T, format: 'Decimal', double: 1.5 },
  { channel: 'a', time: T + 1n, format: 'Decimal', double: null, long: 7n, str: 'x', bool: true },
  { channel: 'b', time: T, format: 'Integer', long: 3n },
];

/** Offset of the first array header of the first group (after the file header, field count, channel and format). */
function firstArray(stream: Buffer): number {
  let p = 19 + 2;
  for (let i = 0; i < 2; i++) p += 4 + stream.readInt32BE(p);
  return p + 4;
}

describe('GroupReader', () => {
  it('counts every element as a narrow row and decodes an irregular one with all its columns', () => {
    const { builder, irregular, reader } = read(rows);
    expect(reader.rows).toBe(3);
    expect(builder.cells).toBe(2);
    expect(irregular).toHaveLength(1);
    expect(irregular[0]!.change).toMatchObject({ op: 'BACKFILL', data_channel_id: 'a', value_format: 'Decimal', double_v: null, long_v: 7, str_v: 'x', bool_v: true });
  });

  it('refuses an array of another element type, naming the column', () => {
    expect(() => read(rows, (b) => (b.writeInt32BE(25, firstArray(b) + 8), b))).toThrow(/created_time is not a one-dimensional array of its type/);
  });

  it('refuses arrays of different lengths', () => {
    const mutate = (b: Buffer) => {
      const at = firstArray(b);
      const next = at + b.readInt32BE(at - 4) + 4; // the double_v array
      b.writeInt32BE(b.readInt32BE(next + 12) + 1, next + 12);
      return b;
    };
    expect(() => read(rows, mutate)).toThrow(/double_v has 3 elements, created_time 2/);
  });

  it('refuses a created_time array whose elements do not fill it', () => {
    const mutate = (b: Buffer) => {
      const at = firstArray(b);
      const fieldLen = at - 4;
      // One more byte in the field than its elements use: the tuple is re-framed around it.
      const out = Buffer.concat([b.subarray(0, at + b.readInt32BE(fieldLen)), Buffer.from([0]), b.subarray(at + b.readInt32BE(fieldLen))]);
      out.writeInt32BE(b.readInt32BE(fieldLen) + 1, fieldLen);
      return out;
    };
    expect(() => read(rows, mutate)).toThrow(/created_time array is longer than its elements/);
  });
});
