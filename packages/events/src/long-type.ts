import avro from 'avsc';
import type { Long } from './types.ts';

const TWO_32 = 2 ** 32;
// Numbers whose high 32-bit word is within ±2^21 are exactly representable (|n| < 2^53).
const SAFE_HIGH = 2 ** 21;
// avsc copies the 8 bytes out synchronously, so one scratch buffer serves every encode (no per-value garbage).
const scratch = Buffer.alloc(8);

function fromBuffer(buf: Buffer): Long {
  const hi = buf.readInt32LE(4);
  if (hi > -SAFE_HIGH && hi < SAFE_HIGH) return hi * TWO_32 + buf.readUInt32LE(0);
  const v = buf.readBigInt64LE(0);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function toBuffer(n: Long): Buffer {
  if (typeof n === 'number') {
    const hi = Math.floor(n / TWO_32);
    scratch.writeInt32LE(hi, 4);
    scratch.writeUInt32LE(n - hi * TWO_32, 0);
  } else {
    scratch.writeBigInt64LE(n, 0);
  }
  return scratch;
}

/**
 * avsc's default long is a JS number and throws beyond 2^53; PostgreSQL bigint values go to 2^63-1.
 * This long keeps numbers where they are exact (the fast path, no BigInt) and bigint elsewhere, losslessly.
 */
export const exactLongType = avro.types.LongType.__with({
  fromBuffer,
  toBuffer,
  fromJSON: (v: unknown) => (typeof v === 'string' ? fromBuffer(toBuffer(BigInt(v))) : (v as number)),
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
