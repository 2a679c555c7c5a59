import { SourcePgError } from './errors.ts';

/**
 * WAL positions ("16/B374D848") as bigint byte offsets: 64-bit values that a JS number cannot hold
 * exactly once a cluster has written more than 8 PB... and that compare and subtract cleanly.
 */
export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

/** The value of `text`'s hex digits from `from` to `to` (1 to 8 of them), or -1. */
function hexWord(text: string, from: number, to: number): number {
  if (to - from < 1 || to - from > 8) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Called per replication message: no regex, and one BigInt while the position fits a number exactly. */
export function parseLsn(text: string): Lsn {
  const slash = text.indexOf('/');
  const hi = slash < 0 ? -1 : hexWord(text, 0, slash);
  const lo = hi < 0 ? -1 : hexWord(text, slash + 1, text.length);
  if (lo < 0) throw new SourcePgError('decode_failed', `bad LSN ${JSON.stringify(text)}`);
  return hi < 0x200000 ? BigInt(hi * 4294967296 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** PostgreSQL's own rendering (upper-case hex, no padding), so logs match pg_replication_slots. */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}

/** Reads a big-endian uint64 LSN from a protocol buffer. */
export function readLsn(buf: Buffer, offset: number): Lsn {
  return buf.readBigUInt64BE(offset);
}
