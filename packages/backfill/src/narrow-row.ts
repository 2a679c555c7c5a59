import type { Change, Long } from '@fleetpivot/events';
import { NARROW_SELECT, readInt64BE } from '@fleetpivot/events';
import { BackfillError } from './errors.ts';
import type { RawFields } from './binary-copy.ts';

export const NARROW_COLUMNS: readonly string[] = NARROW_SELECT.map(([c]) => c);

const PG_EPOCH_US = 946_684_800_000_000n;
const PG_EPOCH_US_NUM = 946_684_800_000_000;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const TWO_32 = 4294967296;

/** A decoded narrow row: the ship that keys its batch and the change live capture would have produced. */
export interface NarrowRow {
  shipId: string | null;
  change: Change;
  /** Bytes the row had on the wire: the encoded change is about as large (Avro is compact). */
  bytes: number;
}

/**
 * timestamptz is int64 microseconds since 2000-01-01; ±infinity are the int64 extremes and stay so,
 * exactly as the capture encodes the text 'infinity' / '-infinity'.
 */
export function timestampUs(b: Buffer, at = 0): Long {
  const hi = b.readInt32BE(at);
  if (hi < 0x200000 && hi >= -0x200000) {
    const v = hi * TWO_32 + b.readUInt32BE(at + 4) + PG_EPOCH_US_NUM;
    if (Number.isSafeInteger(v)) return v;
  }
  const raw = b.readBigInt64BE(at);
  if (raw === INT64_MAX || raw === INT64_MIN) return raw;
  const v = raw + PG_EPOCH_US;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** Decodes one binary COPY tuple of NARROW_SELECT into a BACKFILL change (NULLs kept as NULLs). */
export function decodeNarrowRow(f: RawFields): NarrowRow {
  const { buf, starts: s, lengths: n } = f;
  if (s.length !== NARROW_SELECT.length) throw new BackfillError('decode_failed', `narrow tuple has ${s.length} fields`);
  const text = (i: number) => (n[i]! < 0 ? null : buf.toString('utf8', s[i]!, s[i]! + n[i]!));
  let bytes = 24;
  for (let i = 0; i < n.length; i++) if (n[i]! > 0) bytes += n[i]!;
  return {
    shipId: text(0),
    bytes,
    change: {
      op: 'BACKFILL',
      data_channel_id: text(1),
      created_time_us: n[2]! < 0 ? null : timestampUs(buf, s[2]!),
      value_format: text(3),
      double_v: n[4]! < 0 ? null : buf.readDoubleBE(s[4]!),
      long_v: n[5]! < 0 ? null : readInt64BE(buf, s[5]!),
      str_v: text(6),
      bool_v: n[7]! < 0 ? null : buf[s[7]!] !== 0,
      old: null,
    },
  };
}
