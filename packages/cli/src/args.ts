import { parseArgs } from 'node:util';
import type { ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './command.ts';

export type OptionValues = Record<string, string | boolean | undefined>;

/** node:util parseArgs, strict, with `--no-<flag>` for booleans; its errors become UsageErrors. */
export function parseOptions(args: readonly string[], spec: ParseArgsOptionsConfig): OptionValues {
  try {
    return parseArgs({ args: [...args], options: spec, strict: true, allowPositionals: false, allowNegative: true }).values as OptionValues;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function raw(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

export function intOption(values: OptionValues, name: string, range: { min: number; max?: number }): number | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < range.min || n > max) {
    const want = range.max === undefined ? `an integer >= ${range.min}` : `an integer from ${range.min} to ${range.max}`;
    throw new UsageError(`--${name} must be ${want}, got ${JSON.stringify(text)}`);
  }
  return n;
}

export function numberOption(values: OptionValues, name: string, range: { min: number; max?: number }): number | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  const n = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n) || n < range.min || (range.max !== undefined && n > range.max)) {
    const want = range.max === undefined ? `a number >= ${range.min}` : `a number from ${range.min} to ${range.max}`;
    throw new UsageError(`--${name} must be ${want}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A probability or share: 0..1. */
export function rateOption(values: OptionValues, name: string): number | undefined {
  return numberOption(values, name, { min: 0, max: 1 });
}

export function dateOption(values: OptionValues, name: string): Date | undefined {
  const text = raw(values, name);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name} must be an ISO 8601 time such as 2025-01-01T00:00:00Z, got ${JSON.stringify(text)}`);
  return date;
}
