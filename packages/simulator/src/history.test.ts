import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet-state.ts';
import { historyRows } from './history.ts';
import { chunkRows, planHistoryChunks } from './history-chunks.ts';
import type { HistoryChunk } from './history-chunks.ts';
import { resolveHistoryOptions } from './options.ts';
import { SimulatorError } from './errors.ts';

const fleet = createFleet({ seed: 9, ships: 3, channels: 7 }, 0);

describe('historyRows', () => {
  it('writes every series of the chunk once per step, series by series in time order', async () => {
    const lines = (await text(historyRows(fleet, 15_000, { fromStep: 100, toStep: 104, fromSeries: 0, toSeries: 21 }))).trimEnd().split('\n');
    expect(lines).toHaveLength(84);
    const keys = lines.map((l) => l.split('\t').slice(0, 3).join('|'));
    expect(new Set(keys).size).toBe(84);
    expect(lines.slice(0, 4).map((l) => l.split('\t')[2])).toEqual([100, 101, 102, 103].map((s) => new Date(s * 15_000).toISOString()));
    expect(lines.every((l) => l.split('\t').length === 8)).toBe(true);
  });

  it('gives the same rows whatever the chunking', async () => {
    const sorted = async (chunks: HistoryChunk[]): Promise<string[]> =>
      (await Promise.all(chunks.map((c) => text(historyRows(fleet, 15_000, c))))).join('').trimEnd().split('\n').sort();
    const whole = await sorted([{ fromStep: 0, toStep: 300, fromSeries: 0, toSeries: 21 }]);
    expect(whole).toHaveLength(6300);
    expect(await sorted(planHistoryChunks(0, 300, 21, 0, 1000))).toEqual(whole);
    expect(await sorted(planHistoryChunks(0, 300, 21, 0, 5))).toEqual(whole);
  });
});

describe('planHistoryChunks', () => {
  const rows = (chunks: HistoryChunk[]): number => chunks.reduce((n, c) => n + chunkRows(c), 0);

  it('cuts time windows of whole steps within the row budget', () => {
    const chunks = planHistoryChunks(10, 110, 30, 0, 1000);
    expect(chunks.every((c) => chunkRows(c) <= 1000 && c.fromSeries === 0 && c.toSeries === 30)).toBe(true);
    expect(rows(chunks)).toBe(3000);
    expect(chunks[0]!.fromStep).toBe(10);
    expect(chunks.at(-1)!.toStep).toBe(110);
  });

  it('splits a step by series when one step exceeds the budget, and skips the start of the oldest step', () => {
    const chunks = planHistoryChunks(0, 3, 2500, 700, 1000);
    expect(chunks.every((c) => chunkRows(c) <= 1000 && c.toStep - c.fromStep === 1)).toBe(true);
    expect(rows(chunks)).toBe(3 * 2500 - 700);
    expect(chunks[0]).toEqual({ fromStep: 0, toStep: 1, fromSeries: 700, toSeries: 1700 });
    const small = planHistoryChunks(0, 50, 10, 4, 100);
    expect(small[0]).toEqual({ fromStep: 0, toStep: 1, fromSeries: 4, toSeries: 10 });
    expect(rows(small)).toBe(496);
  });
});

describe('resolveHistoryOptions', () => {
  const base = { seed: 1, ships: 4, channels: 10, endTime: new Date('2025-01-01T00:00:00Z') };

  it('turns days into whole steps ending before endTime', () => {
    const r = resolveHistoryOptions({ ...base, days: 1 });
    expect(r.endStep - r.firstStep).toBe(5760);
    expect(r.total).toBe(5760 * 40);
    expect(r.skip).toBe(0);
    expect(r.endStep * 15_000).toBe(base.endTime.getTime());
  });

  it('gives exactly `rows` rows by skipping the start of the oldest step', () => {
    const r = resolveHistoryOptions({ ...base, rows: 1001 });
    expect(r.total - r.skip).toBe(1001);
    expect(r.endStep - r.firstStep).toBe(26);
  });

  it('names the bad option', () => {
    const bad: [object, string][] = [
      [{ ...base, ships: -1, days: 1 }, 'ships'],
      [{ ...base, channels: 20_053, days: 1 }, 'channels'],
      [{ ...base, seed: 1.5, days: 1 }, 'seed'],
      [{ ...base }, 'days'],
      [{ ...base, days: 1, rows: 5 }, 'days'],
      [{ ...base, days: -2 }, 'days'],
      [{ ...base, rows: 10, chunkRows: 0 }, 'chunkRows'],
      [{ ...base, ships: 0, rows: 10 }, 'rows'],
    ];
    for (const [options, option] of bad) {
      const err = (() => {
        try {
          resolveHistoryOptions(options as never);
        } catch (e) {
          return e;
        }
      })();
      expect(err, option).toBeInstanceOf(SimulatorError);
      expect((err as SimulatorError).option).toBe(option);
      expect((err as SimulatorError).message).toContain(option);
    }
  });
});
