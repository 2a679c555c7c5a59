import { realImoNumbers, realLocalIds } from './reference-data.ts';
import { createRng, hash32 } from './random.ts';
import type { Rng } from './random.ts';

export type ValueFormat = 'Decimal' | 'Integer' | 'Boolean' | 'String';

/** Share of channels per value_format; fixed per channel id, like a real sensor's type. */
export interface FormatMix {
  Decimal: number;
  Integer: number;
  Boolean: number;
  String: number;
}

export const defaultFormatMix: FormatMix = { Decimal: 0.7, Integer: 0.15, Boolean: 0.1, String: 0.05 };

/** The value_format of a channel id: a pure function of (seed, channel id) with the mix's weights. */
export function formatOf(seed: number, channelId: string, mix: FormatMix = defaultFormatMix): ValueFormat {
  const total = mix.Decimal + mix.Integer + mix.Boolean + mix.String;
  let roll = (hash32(seed, 'format', channelId) / 4294967296) * total;
  for (const format of ['Decimal', 'Integer', 'Boolean', 'String'] as const) {
    roll -= mix[format];
    if (roll < 0) return format;
  }
  return 'String';
}

/** An IMO number's check digit: digits 1-6 weighted 7..2, sum mod 10. */
export function imoCheckDigit(sixDigits: string): number {
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(sixDigits[i]) * (7 - i);
  return sum % 10;
}

/**
 * The fleet's ship ids in order: the real IMO numbers first, then synthetic ones with a valid check digit.
 * `at(i)` is stable for a seed, so "new ships" are simply the next indexes.
 */
export class ShipPicker {
  readonly #ids: string[] = [];
  readonly #used = new Set<string>();
  readonly #rng: Rng;

  constructor(seed: number) {
    this.#rng = createRng(hash32(seed, 'ships'));
    for (const id of realImoNumbers()) this.#push(id);
  }

  at(index: number): string {
    while (this.#ids.length <= index) {
      const six = String(900000 + this.#rng.int(100000));
      this.#push(`IMO${six}${imoCheckDigit(six)}`);
    }
    return this.#ids[index] as string;
  }

  take(count: number): string[] {
    return Array.from({ length: count }, (_, i) => this.at(i));
  }

  #push(id: string): void {
    if (this.#used.has(id)) return;
    this.#used.add(id);
    this.#ids.push(id);
  }
}

/**
 * A ship's channels: a seeded permutation of the distinct real Local IDs, drawn lazily (sparse Fisher-Yates),
 * so each ship has its own subset and a "new channel" is the next id of that ship's permutation.
 */
export class ChannelPicker {
  readonly #pool: readonly string[];
  readonly #swapped = new Map<number, number>();
  readonly #rng: Rng;
  #drawn = 0;

  constructor(seed: number, shipId: string) {
    this.#pool = realLocalIds();
    this.#rng = createRng(hash32(seed, 'channels', shipId));
  }

  get drawn(): number {
    return this.#drawn;
  }

  get capacity(): number {
    return this.#pool.length;
  }

  /** The next channel id, or undefined once every distinct Local ID is in use. */
  next(): string | undefined {
    const i = this.#drawn;
    if (i >= this.#pool.length) return undefined;
    const j = i + this.#rng.int(this.#pool.length - i);
    const picked = this.#swapped.get(j) ?? j;
    this.#swapped.set(j, this.#swapped.get(i) ?? i);
    this.#drawn++;
    return this.#pool[picked];
  }

  take(count: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.next();
      if (id === undefined) break;
      out.push(id);
    }
    return out;
  }
}
