import { SourcePgError } from './errors.ts';

/**
 * WAL positions ("16/B374D848") as bigint byte offsets: 64-bit values that a JS number cannot hold
 * exactly once a cluster has written more than 8 PB... and that compare and subtract cleanly.
 */
export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new SourcePgError('decode_failed', `bad LSN ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
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
