/** Microseconds since the Unix epoch as exact bigint, and their rendering as a timestamptz literal. */

// Years 1..9999: what ISO text and JS dates both handle; plan cut points outside it are simply not used.
export const MIN_RENDERABLE_US = -62_135_596_800_000_000n; // 0001-01-01T00:00:00Z
export const MAX_RENDERABLE_US = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999Z

export function renderable(us: bigint): boolean {
  return us >= MIN_RENDERABLE_US && us <= MAX_RENDERABLE_US;
}

/** '2024-05-01 12:00:00.000001+00': exact to the microsecond, read back by PostgreSQL unambiguously. */
export function timestampLiteralText(us: bigint): string {
  if (!renderable(us)) throw new RangeError(`timestamp ${us} µs is outside years 1..9999`);
  let ms = us / 1000n;
  let micros = us % 1000n;
  if (micros < 0n) {
    micros += 1000n;
    ms -= 1n;
  }
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${micros.toString().padStart(3, '0')}+00`;
}

/** Parses an operator-given time ('2024-05-01', '2024-05-01T12:00:00Z', ...) to µs; throws when unreadable. */
export function parseTimeOption(raw: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,6}))?(Z|[+-]\d\d:?\d\d)?$/.exec(raw.trim());
  const base = m?.[1] ?? raw;
  const hasTime = base.includes('T') || base.includes(' ');
  const zone = m?.[3] ?? 'Z';
  const ms = Date.parse(`${base.replace(' ', 'T')}${hasTime ? '' : 'T00:00:00'}${zone}`);
  if (Number.isNaN(ms)) throw new RangeError(`unreadable time ${JSON.stringify(raw)} (use e.g. 2024-05-01 or 2024-05-01T12:00:00Z)`);
  return BigInt(ms) * 1000n + BigInt((m?.[2] ?? '').padEnd(6, '0') || '0');
}
