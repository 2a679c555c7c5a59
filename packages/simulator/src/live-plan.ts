import { addChannel, addShip } from './fleet-state.ts';
import type { Fleet, ShipState } from './fleet-state.ts';
import type { Rng } from './random.ts';
import type { RowRef } from './live-writes.ts';
import type { SampleValue } from './values.ts';

/** What the live writer knows exists, so corrections hit real rows (old ones included) deterministically. */
export interface LiveModel {
  fleet: Fleet;
  rng: Rng;
  /** Channels of new ships. */
  channelsPerShip: number;
  /** Steps [from, to) of rows written before this run (history), if any; there may be a gap before live. */
  before: { from: number; to: number } | undefined;
  /** First step written by the live ticks. */
  liveStep: number;
  /** Withheld samples per ship index, each with the tick that delivers it. */
  pending: Map<number, { due: number; row: RowRef }[]>;
  pendingKeys: Set<string>;
  deleted: Set<string>;
  revision: number;
}

export interface Rates {
  lateRate: number;
  updateRate: number;
  deleteRate: number;
  newChannelRate: number;
  newShipRate: number;
  maxLateTicks: number;
}

/** One ship's transaction in one tick. */
export interface ShipPlan {
  ship: ShipState;
  rows: RowRef[];
  late: RowRef[];
  updates: { row: RowRef; value: SampleValue }[];
  deletes: RowRef[];
}

const keyOf = (ship: ShipState, row: RowRef): string => `${ship.index}|${row.channel.channelId}|${row.step}`;

/**
 * Plans tick `tick` covering sample steps [fromStep, toStep). Pure apart from the model it advances;
 * the order of random draws is fixed, so the same seed and tick count give the same writes.
 */
export function planTick(model: LiveModel, rates: Rates, tick: number, fromStep: number, toStep: number): ShipPlan[] {
  const { fleet, rng } = model;
  if (rates.newShipRate > 0 && rng.chance(rates.newShipRate)) addShip(fleet, model.channelsPerShip, fromStep);
  const plans: ShipPlan[] = [];
  for (const ship of fleet.ships) {
    if (rates.newChannelRate > 0 && rng.chance(rates.newChannelRate)) addChannel(fleet, ship, fromStep);
    const plan: ShipPlan = { ship, rows: [], late: [], updates: [], deletes: [] };
    for (const c of ship.channels) {
      for (let step = Math.max(fromStep, c.sinceStep); step < toStep; step++) {
        const row = { channel: c.model, step };
        if (rates.lateRate > 0 && rng.chance(rates.lateRate)) withhold(model, ship, row, tick + 1 + rng.int(rates.maxLateTicks));
        else plan.rows.push(row);
      }
    }
    plan.late = takeDue(model, ship, tick);
    const batchRows = ship.channels.length * (toStep - fromStep);
    for (let n = rng.count(rates.updateRate * batchRows); n > 0; n--) {
      const row = pickExisting(model, ship, toStep);
      if (row) plan.updates.push({ row, value: row.channel.value(row.step, ++model.revision) });
    }
    for (let n = rng.count(rates.deleteRate * batchRows); n > 0; n--) {
      const row = pickExisting(model, ship, toStep);
      if (!row) continue;
      model.deleted.add(keyOf(ship, row));
      plan.deletes.push(row);
    }
    if (plan.rows.length + plan.late.length + plan.updates.length + plan.deletes.length > 0) plans.push(plan);
  }
  return plans;
}

/** Every withheld sample, delivered now (on stop, so a finished run leaves no gaps behind). */
export function planFlush(model: LiveModel): ShipPlan[] {
  return model.fleet.ships
    .map((ship) => ({ ship, rows: [], late: takeDue(model, ship, Number.POSITIVE_INFINITY), updates: [], deletes: [] }))
    .filter((plan) => plan.late.length > 0);
}

export function pendingCount(model: LiveModel): number {
  return model.pendingKeys.size;
}

function withhold(model: LiveModel, ship: ShipState, row: RowRef, due: number): void {
  const list = model.pending.get(ship.index) ?? [];
  list.push({ due, row });
  model.pending.set(ship.index, list);
  model.pendingKeys.add(keyOf(ship, row));
}

function takeDue(model: LiveModel, ship: ShipState, tick: number): RowRef[] {
  const list = model.pending.get(ship.index);
  if (!list) return [];
  const due = list.filter((p) => p.due <= tick).map((p) => p.row);
  model.pending.set(ship.index, list.filter((p) => p.due > tick));
  for (const row of due) model.pendingKeys.delete(keyOf(ship, row));
  return due;
}

/** A row that exists (inserted, not deleted, not withheld), its step drawn uniformly from all written steps. */
function pickExisting(model: LiveModel, ship: ShipState, endStep: number): RowRef | undefined {
  for (let attempt = 0; attempt < 8 && ship.channels.length > 0; attempt++) {
    const c = ship.channels[model.rng.int(ship.channels.length)]!;
    const low = Math.max(c.sinceStep, ship.sinceStep);
    const before = model.before ? Math.max(0, Math.min(model.before.to, model.liveStep) - Math.max(low, model.before.from)) : 0;
    const liveLow = Math.max(low, model.liveStep);
    const live = Math.max(0, endStep - liveLow);
    if (before + live === 0) continue;
    const draw = model.rng.int(before + live);
    const step = draw < before ? Math.max(low, model.before!.from) + draw : liveLow + draw - before;
    const row = { channel: c.model, step };
    const key = keyOf(ship, row);
    if (!model.deleted.has(key) && !model.pendingKeys.has(key)) return row;
  }
  return undefined;
}
