import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet-state.ts';
import { historyRows } from './history.ts';
import { resolveHistoryOptions } from './options.ts';
import { SimulatorError } from './errors.ts';

const fleet = createFleet({ seed: 9, ships: 3, channels: 7 }, 0);

describe('historyRows', () => {
  it('writes time-major COPY lines: every ship and channel once per step', async () => {
    const lines = (await text(historyRows(fleet, 100, 15_000, 0, 3 * 7 * 4))).trimEnd().split('\n');
    expect(lines).toHaveLength(84);
    const keys = lines.map((l) => l.split('\t').slice(0, 3).join('|'));
    expect(new Set(keys).size).toBe(84);
    expect(lines[0]!.split('\t')[2]).toBe(new Date(100 * 15_000).toISOString());
    expect(lines[83]!.split('\t')[2]).toBe(new Date(103 * 15_000).toISOString());
    expect(lines.every((l) => l.split('\t').length === 8)).toBe(true);
  });

  it('gives the same bytes whatever the chunk boundaries', async () => {
    const whole = await text(historyRows(fleet, 0, 15_000, 0, 5000));
    const parts = await Promise.all([[0, 1234], [1234, 4000], [4000, 5000]].map(([a, b]) => text(historyRows(fleet, 0, 15_000, a!, b!))));
    expect(parts.join('')).toBe(whole);
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
