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

/** The digit at `i` (0-9), or a negative number / more than 9 for any other character. */
const digit = (text: string, i: number): number => text.charCodeAt(i) - 48;

/**
 * The common case, read without the regex (it was the capture's top parsing cost): `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00`,
 * a four-digit AD year in UTC, which the replication session's TimeZone makes almost every value. Anything else
 * (other years, offsets, BC, infinity, malformed text): undefined, and the general parser decides.
 */
function utcTimestampUs(text: string): number | undefined {
  const n = text.length;
  if (n < 22 || n > 29 || text.charCodeAt(n - 3) !== 43 /* + */ || text.charCodeAt(n - 2) !== 48 || text.charCodeAt(n - 1) !== 48) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  let fields = 0;
  const two = (i: number): number => {
    const a = digit(text, i);
    const b = digit(text, i + 1);
    if (a < 0 || a > 9 || b < 0 || b > 9) fields = -1;
    return a * 10 + b;
  };
  const year = two(0) * 100 + two(2);
  const month = two(5);
  const day = two(8);
  const hour = two(11);
  const minute = two(14);
  const second = two(17);
  if (fields < 0) return undefined;
  let micros = 0;
  if (n > 22) {
    // ".f" to ".ffffff" between the seconds and "+00"
    if (text.charCodeAt(19) !== 46 || n === 23) return undefined;
    let scale = 100_000;
    for (let i = 20; i < n - 3; i++) {
      const d = digit(text, i);
      if (d < 0 || d > 9) return undefined;
      micros += d * scale;
      scale /= 10;
    }
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return Math.abs(seconds) < SAFE_SECONDS ? seconds * 1_000_000 + micros : undefined; // beyond: a bigint, by the general parser
}

/**
 * timestamptz text (DateStyle ISO, as the replication session is configured) to microseconds since
 * the Unix epoch. A JS Date would drop the microseconds; this keeps them, and every year PostgreSQL has.
 */
export function parseTimestampUs(text: string): Long {
  const fast = utcTimestampUs(text);
  if (fast !== undefined) return fast;
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
