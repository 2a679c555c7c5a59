/**
 * µs since the Unix epoch → an exact timestamptz input text PostgreSQL reads back to the same value, for every
 * value a timestamptz can hold: `infinity` / `-infinity` (the int64 extremes the capture and the backfill use for
 * them), years before 1 AD as `... BC`, years past 9999. JS Dates stop at milliseconds and at ±275,760 years, and
 * toISOString writes extended years (`-004713-...`) PostgreSQL does not parse, so the calendar is computed here.
 */
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const US_PER_DAY = 86_400_000_000n;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function usToTimestamp(us: bigint): string {
  if (us >= INT64_MAX) return 'infinity';
  if (us <= INT64_MIN) return '-infinity';
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) {
    rem += US_PER_DAY;
    days -= 1n;
  }
  const [y, m, d] = civilFromDays(Number(days));
  const r = Number(rem);
  const time = `${pad(Math.floor(r / 3_600_000_000), 2)}:${pad(Math.floor(r / 60_000_000) % 60, 2)}:${pad(Math.floor(r / 1_000_000) % 60, 2)}.${pad(r % 1_000_000, 6)}`;
  // Year 0 is 1 BC in PostgreSQL's (and ISO 8601's astronomical) numbering.
  return y <= 0 ? `${pad(1 - y, 4)}-${pad(m, 2)}-${pad(d, 2)} ${time}+00 BC` : `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)} ${time}+00`;
}
