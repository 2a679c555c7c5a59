import { formatOf, defaultFormatMix } from './fleet.ts';
import type { FormatMix, ValueFormat } from './fleet.ts';
import { hash32, unit } from './random.ts';

/** The four value columns of a narrow row; exactly the one named by value_format is set. */
export interface SampleValue {
  double_v: number | null;
  /** A decimal string: bigint values reach 2^62 and must stay exact. */
  long_v: string | null;
  str_v: string | null;
  bool_v: boolean | null;
}

/** One (ship, channel) stream. `value(step)` is a pure function of the sample's step (time / sample period). */
export interface ChannelModel {
  shipId: string;
  channelId: string;
  format: ValueFormat;
  /** `revision` > 0 gives a corrected value for the same sample, as an UPDATE would write. */
  value(step: number, revision?: number): SampleValue;
}

// Mostly plain operator words; a few carry quoting/escaping hazards (quote, backslash, tab, newline, non-ASCII,
// empty string) because real String channels do, and the pipeline must carry them byte for byte.
const WORDS = ['RUNNING', 'STOPPED', 'STANDBY', 'ALARM', 'Auto', 'Manual', 'N/A', 'OK', 'FAULT', 'Remote'];
const HAZARDS = ["O'Brien valve", 'C:\\logs\\pump', 'tab\there', 'line\nbreak', 'Ø-ring ✓ 試験', ''];

const TWO_PI = Math.PI * 2;
const LARGE_COUNTER_BASE = 2n ** 62n;

export function createChannel(seed: number, shipId: string, channelId: string, mix: FormatMix = defaultFormatMix): ChannelModel {
  const format = formatOf(seed, channelId, mix);
  const key = hash32(seed, shipId, channelId);
  const r = (salt: number): number => unit(key, salt);
  const base = (r(1) - 0.3) * 10 ** Math.floor(r(2) * 4); // -0.3 .. 700: temperatures, pressures, loads
  const amplitude = Math.abs(base) * 0.2 * r(3) + 0.5;
  const period = 20 + Math.floor(r(4) * 2000); // steps per cycle (5 minutes to ~8 hours at 15 s)
  const phase = r(5) * TWO_PI;
  const scale = 10 ** Math.floor(r(6) * 4); // 0 to 3 decimals
  const run = 4 + Math.floor(r(7) * 200); // Boolean/String values change in runs, like states do
  const largeCounter = r(8) < 0.05;
  const counterBase = LARGE_COUNTER_BASE + BigInt(key) * 1_000_000n;

  const wave = (step: number): number => base + amplitude * Math.sin((TWO_PI * step) / period + phase);
  const none: SampleValue = { double_v: null, long_v: null, str_v: null, bool_v: null };

  const value = (step: number, revision = 0): SampleValue => {
    const noise = unit(key ^ revision, step);
    switch (format) {
      case 'Decimal':
        // `+ 0` turns -0 into 0: String(-0) is "0", so the database would hold 0 anyway; keep the model equal to it.
        return { ...none, double_v: Math.round((wave(step) + (noise - 0.5) * amplitude * 0.1) * scale) / scale + 0 };
      case 'Integer':
        if (largeCounter) return { ...none, long_v: String(counterBase + BigInt(step + revision)) };
        return { ...none, long_v: String(Math.round(wave(step) * 10 + (revision > 0 ? noise * 100 : 0))) };
      case 'Boolean': {
        const original = unit(key, Math.floor(step / run)) < 0.5;
        // A correction of a boolean flips it; otherwise half of all corrections would change nothing.
        return { ...none, bool_v: revision > 0 ? !original : original };
      }
      case 'String': {
        const pick = unit(key ^ revision, Math.floor(step / run));
        const words = pick < 0.05 ? HAZARDS : WORDS;
        return { ...none, str_v: words[Math.floor(unit(key, Math.floor(pick * 1e9)) * words.length)] as string };
      }
    }
  };
  return { shipId, channelId, format, value };
}
