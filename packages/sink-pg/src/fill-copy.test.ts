import { describe, expect, it } from 'vitest';
import { FillColumnValues } from './binary-array.ts';
import { fillCopyPayload, fillCopySql } from './fill-copy.ts';
import type { FillPart } from './fill-plan.ts';

function part(): FillPart {
  const columns = [
    { column: 'b"col', type: 'boolean' as const, channel: '/b' },
    { column: 'a', type: 'bigint' as const, channel: '/a' },
  ];
  const values = [new FillColumnValues('boolean'), new FillColumnValues('bigint')];
  values[0]!.setRaw(0, Buffer.from([1]), 0);
  const big = Buffer.alloc(8);
  big.writeBigInt64BE(-5n);
  values[1]!.setRaw(1, big, 0);
  return { schema: 's', table: 'w', columns, index: new Map([['b"col', 0], ['a', 1]]), values, times: [0, 1], rowOf: new Map([[0, 0], [1, 1]]) };
}

describe('fillCopyPayload', () => {
  it('is PostgreSQL binary COPY: signature, header, per row a field count and fields in the SQL column order, trailer', () => {
    const p = part();
    const order = [1, 0]; // a, b"col
    expect(fillCopySql(p, order)).toBe('COPY "s"."w" (created_time, "a", "b""col") FROM STDIN (FORMAT binary)');
    const buf = fillCopyPayload(p, order);
    expect(buf.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect([buf.readInt32BE(11), buf.readInt32BE(15)]).toEqual([0, 0]);
    let at = 19;
    // row 0: time 1970-01-01 (2000-based µs), a NULL, b"col true
    expect([buf.readInt16BE(at), buf.readInt32BE(at + 2), buf.readBigInt64BE(at + 6), buf.readInt32BE(at + 14), buf.readInt32BE(at + 18), buf[at + 22]]).toEqual([3, 8, -946684800000000n, -1, 1, 1]);
    at += 23;
    // row 1: time +1 µs, a -5, b"col NULL
    expect([buf.readInt16BE(at), buf.readBigInt64BE(at + 6), buf.readInt32BE(at + 14), buf.readBigInt64BE(at + 18), buf.readInt32BE(at + 26)]).toEqual([3, -946684799999999n, 8, -5n, -1]);
    at += 30;
    expect([buf.readInt16BE(at), buf.length]).toEqual([-1, at + 2]);
  });

  it('leaves out the rows to skip', () => {
    const buf = fillCopyPayload(part(), [1, 0], new Set([0]));
    expect(buf.length).toBe(19 + 30 + 2);
    expect(buf.readBigInt64BE(19 + 6)).toBe(-946684799999999n);
  });
});
