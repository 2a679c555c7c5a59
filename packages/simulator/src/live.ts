import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { quoteQualified } from '@fleetpivot/pgkit';
import type { Logger } from '@fleetpivot/telemetry';
import { createFleet } from './fleet-state.ts';
import type { Fleet, FleetOptions } from './fleet-state.ts';
import { resolveLiveOptions } from './live-options.ts';
import type { ResolvedLive } from './live-options.ts';
import { pendingCount, planFlush, planTick } from './live-plan.ts';
import type { LiveModel, ShipPlan } from './live-plan.ts';
import { deleteRow, insertRows, updateRow } from './live-writes.ts';
import { createRng, hash32 } from './random.ts';

export interface LiveOptions extends FleetOptions {
  schema?: string;
  table?: string;
  sampleMs?: number;
  /** Wall-clock time between ticks; default 60 000 (a ship's minute batch). */
  intervalMs?: number;
  /** Simulated time one tick covers; default intervalMs. 60 000 with intervalMs 1 000 runs a minute per second. */
  batchMs?: number;
  /** Stop by itself after this many ticks, or once the next tick would start after durationMs. */
  ticks?: number;
  durationMs?: number;
  /** Start of the first tick's window; default the history's end, else max(now, newest row + one sample). */
  startTime?: Date;
  /** Continue the fleet `loadHistory` just wrote (its ships, channels and time range). */
  history?: { fleet: Fleet; firstStep: number; endStep: number; partialFirstStep: boolean };
  /** Share of samples delivered 1..maxLateTicks ticks late. */
  lateRate?: number;
  /** UPDATEs (DELETEs) per ship and tick, as a share of the ship's rows per tick; targets any existing row. */
  updateRate?: number;
  deleteRate?: number;
  /** Chance per ship and tick that a new channel appears, and per tick that a new ship appears. */
  newChannelRate?: number;
  newShipRate?: number;
  maxLateTicks?: number;
  logger?: Logger;
  onTick?: (report: TickReport) => void;
}

export interface LiveStats {
  ticks: number;
  overruns: number;
  maxTickMs: number;
  inserted: number;
  lateInserted: number;
  updated: number;
  deleted: number;
  /** Corrections that found no row (only when rows were removed behind the simulator's back). */
  missed: number;
  newShips: number;
  newChannels: number;
  pendingLate: number;
  ships: number;
}

export interface TickReport {
  tick: number;
  tookMs: number;
  overran: boolean;
  stats: LiveStats;
}

export interface LiveHandle {
  /** Resolves when ticks/duration are used up, or after stop(); rejects if a write fails. */
  readonly done: Promise<LiveStats>;
  /** Finishes the running tick, delivers withheld late rows, and resolves with the final counts. */
  stop(): Promise<LiveStats>;
  stats(): LiveStats;
}

export function startLive(pool: pg.Pool, options: LiveOptions): LiveHandle {
  const o = resolveLiveOptions(options);
  const table = quoteQualified(options.schema ?? 'tenant', options.table ?? 'tbl_data_timeseries');
  const abort = new AbortController();
  const stats: LiveStats = {
    ticks: 0, overruns: 0, maxTickMs: 0, inserted: 0, lateInserted: 0, updated: 0, deleted: 0, missed: 0,
    newShips: 0, newChannels: 0, pendingLate: 0, ships: 0,
  };
  let model: LiveModel | undefined;
  let initialShips = 0;
  let initialChannels = 0;

  const snapshot = (): LiveStats => {
    if (model) {
      const channels = model.fleet.ships.reduce((sum, s) => sum + s.channels.length, 0);
      stats.ships = model.fleet.ships.length;
      stats.newShips = stats.ships - initialShips;
      stats.newChannels = channels - initialChannels;
      stats.pendingLate = pendingCount(model);
    }
    return { ...stats };
  };

  const apply = async (plans: ShipPlan[]): Promise<void> => {
    for (const plan of plans) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        stats.inserted += await insertRows(client, table, plan.ship.shipId, plan.rows, o.sampleMs);
        stats.lateInserted += await insertRows(client, table, plan.ship.shipId, plan.late, o.sampleMs);
        for (const u of plan.updates) {
          const n = await updateRow(client, table, plan.ship.shipId, u.row, o.sampleMs, u.value);
          stats.updated += n;
          stats.missed += 1 - n;
        }
        for (const row of plan.deletes) {
          const n = await deleteRow(client, table, plan.ship.shipId, row, o.sampleMs);
          stats.deleted += n;
          stats.missed += 1 - n;
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }
  };

  const run = async (): Promise<LiveStats> => {
    const init = await initialise(pool, table, options, o);
    model = init.model;
    initialShips = model.fleet.ships.length;
    initialChannels = model.fleet.ships.reduce((sum, s) => sum + s.channels.length, 0);
    const stepsAt = (tick: number): number => Math.ceil((init.startMs + tick * o.batchMs) / o.sampleMs);
    const t0 = performance.now();
    for (let tick = 1; o.ticks === undefined || tick <= o.ticks; tick++) {
      const due = t0 + tick * o.intervalMs;
      if (o.durationMs !== undefined && tick * o.intervalMs > o.durationMs) break;
      // Ticks are scheduled from t0, not from the previous tick's end, so the schedule never drifts.
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) break;
      const started = performance.now();
      await apply(planTick(model, o, tick, stepsAt(tick - 1), stepsAt(tick)));
      const finished = performance.now();
      const overran = finished > due + o.intervalMs;
      stats.ticks = tick;
      stats.maxTickMs = Math.max(stats.maxTickMs, finished - started);
      if (overran) {
        stats.overruns++;
        options.logger?.warn({ tick, tookMs: Math.round(finished - started), intervalMs: o.intervalMs }, 'live tick overran its interval');
      }
      const report = { tick, tookMs: finished - started, overran, stats: snapshot() };
      options.logger?.debug(report, 'live tick committed');
      options.onTick?.(report);
    }
    await apply(planFlush(model));
    return snapshot();
  };

  const done = run();
  done.catch(() => undefined); // callers observe failures through done/stop(); never an unhandled rejection
  return {
    done,
    stop: async () => {
      abort.abort();
      return done;
    },
    stats: snapshot,
  };
}

async function initialise(pool: pg.Pool, table: string, options: LiveOptions, o: ResolvedLive): Promise<{ model: LiveModel; startMs: number }> {
  const rng = createRng(hash32(options.seed, 'live'));
  const base = { rng, channelsPerShip: options.channels, pending: new Map(), pendingKeys: new Set<string>(), deleted: new Set<string>(), revision: 0 };
  if (options.history) {
    const h = options.history;
    const startMs = options.startTime?.getTime() ?? h.endStep * o.sampleMs;
    const before = { from: h.firstStep + (h.partialFirstStep ? 1 : 0), to: h.endStep };
    return { model: { ...base, fleet: h.fleet, before, liveStep: Math.ceil(startMs / o.sampleMs) }, startMs };
  }
  // A separate run continues whatever is there (assumed written by the same fleet options): corrections may
  // target any row from the oldest one on. The oldest step may be partly filled (--history-rows), so it is skipped.
  const { rows } = await pool.query<{ first: Date | null; last: Date | null }>(`SELECT min(created_time) AS first, max(created_time) AS last FROM ${table}`);
  const first = rows[0]?.first ?? null;
  const last = rows[0]?.last ?? null;
  const nowMs = Math.ceil(Date.now() / o.sampleMs) * o.sampleMs;
  const startMs = options.startTime?.getTime() ?? Math.max(nowMs, last ? last.getTime() + o.sampleMs : 0);
  const liveStep = Math.ceil(startMs / o.sampleMs);
  const before = first && last ? { from: Math.ceil(first.getTime() / o.sampleMs) + 1, to: Math.floor(last.getTime() / o.sampleMs) + 1 } : undefined;
  return { model: { ...base, fleet: createFleet(options, before?.from ?? liveStep), before, liveStep }, startMs };
}
