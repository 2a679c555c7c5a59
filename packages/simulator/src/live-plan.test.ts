import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet-state.ts';
import { planFlush, planTick } from './live-plan.ts';
import type { LiveModel, Rates, ShipPlan } from './live-plan.ts';
import { createRng } from './random.ts';

const model = (seed = 4): LiveModel => ({
  fleet: createFleet({ seed, ships: 3, channels: 10 }, 0),
  rng: createRng(seed),
  channelsPerShip: 10,
  before: undefined,
  liveStep: 0,
  pending: new Map(),
  pendingKeys: new Set(),
  deleted: new Set(),
  revision: 0,
});
const none: Rates = { lateRate: 0, updateRate: 0, deleteRate: 0, newChannelRate: 0, newShipRate: 0, maxLateTicks: 3 };
const describePlans = (plans: ShipPlan[]): string =>
  JSON.stringify(plans.map((p) => [p.ship.shipId, ...[p.rows, p.late, p.deletes].map((rs) => rs.map((r) => `${r.channel.channelId}@${r.step}`)), p.updates.map((u) => u.value)]));

describe('planTick', () => {
  it('writes each channel of each ship once per step of the tick window', () => {
    const plans = planTick(model(), none, 1, 100, 104);
    expect(plans).toHaveLength(3);
    for (const p of plans) expect(p.rows).toHaveLength(40);
  });

  it('is deterministic for a seed', () => {
    const rates = { ...none, lateRate: 0.2, updateRate: 0.05, deleteRate: 0.05, newChannelRate: 0.5, newShipRate: 0.5 };
    const run = (): string => {
      const m = model();
      return [1, 2, 3, 4].map((t) => describePlans(planTick(m, rates, t, 96 + t * 4, 100 + t * 4))).join();
    };
    expect(run()).toBe(run());
  });

  it('delivers withheld samples in a later tick, or on flush, exactly once', () => {
    const m = model();
    const rates = { ...none, lateRate: 0.3 };
    let onTime = 0;
    let late = 0;
    for (let t = 1; t <= 5; t++) {
      for (const p of planTick(m, rates, t, t * 4, t * 4 + 4)) {
        onTime += p.rows.length;
        late += p.late.length;
        for (const r of p.late) expect(r.step).toBeLessThan(t * 4);
      }
    }
    const flushed = planFlush(m).reduce((n, p) => n + p.late.length, 0);
    expect(onTime + late + flushed).toBe(5 * 3 * 10 * 4);
    expect(late + flushed).toBeGreaterThan(0);
    expect(planFlush(m)).toHaveLength(0);
  });

  it('corrects rows that exist, never a deleted one twice, old rows included', () => {
    const m = model();
    m.before = { from: 0, to: 900 };
    m.liveStep = 1004;
    const rates = { ...none, updateRate: 0.25, deleteRate: 0.25 };
    const deleted = new Set<string>();
    let oldest = Infinity;
    for (let t = 1; t <= 10; t++) {
      for (const p of planTick(m, rates, t, 1000 + t * 4, 1004 + t * 4)) {
        for (const r of [...p.deletes, ...p.updates.map((u) => u.row)]) {
          expect(r.step).toBeLessThan(1004 + t * 4);
          expect(r.step < 900 || r.step >= 1004).toBe(true); // never in the gap between history and live
          oldest = Math.min(oldest, r.step);
        }
        for (const r of p.deletes) {
          const key = `${p.ship.shipId}|${r.channel.channelId}|${r.step}`;
          expect(deleted.has(key)).toBe(false);
          deleted.add(key);
        }
      }
    }
    expect(oldest).toBeLessThan(1000); // history-era rows are targets too
  });

  it('adds ships and channels that write from the tick they appear', () => {
    const m = model();
    planTick(m, { ...none, newShipRate: 1, newChannelRate: 1 }, 1, 50, 54);
    expect(m.fleet.ships).toHaveLength(4);
    expect(m.fleet.ships[0]!.channels).toHaveLength(11);
    expect(m.fleet.ships[3]!.sinceStep).toBe(50);
    expect(m.fleet.ships[0]!.channels[10]!.sinceStep).toBe(50);
  });
});
