import type { Long } from '@fleetpivot/events';
import { SourcePgError } from './errors.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** PostgreSQL stores timestamptz 'infinity' / '-infinity' as the int64 extremes; we keep that encoding. */
export const TIMESTAMP_INFINITY_US = 9223372036854775807n;
export const TIMESTAMP_MINUS_INFINITY_US = -9223372036854775808n;
// Beyond this many seconds from the epoch (year ~2255) microseconds no longer fit a JS number exactly.
const SAFE_SECONDS = 9_007_199_254;

export function narrowLong(v: bigint): Long {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

/** int8 text, exact: numbers while safe, bigint beyond 2^53. */
export function parseInt8(text: string): Long {
  if (text.length <= 15) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  try {
    return narrowLong(BigInt(text));
  } catch (err) {
    throw new SourcePgError('decode_failed', `bad bigint text ${JSON.stringify(text.slice(0, 40))}`, { cause: err });
  }
}

/** float8 text; PostgreSQL writes 'NaN', 'Infinity', '-Infinity', which Number() reads as the same values. */
export function parseFloat8(text: string): number {
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw new SourcePgError('decode_failed', `bad double text ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

export function parseBool(text: string): boolean {
  if (text === 't') return true;
  if (text === 'f') return false;
  throw new SourcePgError('decode_failed', `bad boolean text ${JSON.stringify(text.slice(0, 10))}`);
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (PostgreSQL's), any year. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const TIMESTAMP_RE = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

/**
 * timestamptz text (DateStyle ISO, as the replication session is configured) to microseconds since
 * the Unix epoch. A JS Date would drop the microseconds; this keeps them, and every year PostgreSQL has.
 */
export function parseTimestampUs(text: string): Long {
  if (text === 'infinity') return TIMESTAMP_INFINITY_US;
  if (text === '-infinity') return TIMESTAMP_MINUS_INFINITY_US;
  const m = TIMESTAMP_RE.exec(text);
  if (!m) throw new SourcePgError('decode_failed', `bad timestamptz text ${JSON.stringify(text.slice(0, 60))}`);
  let year = Number(m[1]);
  if (m[12]) year = 1 - year; // 1 BC is astronomical year 0
  const days = daysFromCivil(year, Number(m[2]), Number(m[3]));
  let offset = 0;
  if (m[8]) offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0));
  const seconds = days * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) - offset;
  const micros = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  if (Math.abs(seconds) < SAFE_SECONDS) return seconds * 1_000_000 + micros;
  return narrowLong(BigInt(seconds) * 1_000_000n + BigInt(micros));
}
