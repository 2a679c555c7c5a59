import avro from 'avsc';
import type { Long } from './types.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function narrow(v: bigint): Long {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

/**
 * avsc's default long is a JS number and throws beyond 2^53; PostgreSQL bigint values go to 2^63-1.
 * This long keeps numbers where they are exact (fast path) and bigint elsewhere, losslessly.
 */
export const exactLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => narrow(buf.readBigInt64LE(0)),
  toBuffer: (n: Long) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(typeof n === 'bigint' ? n : BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => (typeof v === 'string' ? narrow(BigInt(v)) : (v as number)),
  toJSON: (n: Long) => (typeof n === 'bigint' ? n.toString() : n),
  isValid: (n: unknown) =>
    (typeof n === 'number' && Number.isSafeInteger(n)) ||
    (typeof n === 'bigint' && n <= 9223372036854775807n && n >= -9223372036854775808n),
  compare: (a: Long, b: Long) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  },
});
