// A fleet that writes like the seed's: each ship commits its latest samples (one per channel and step)
// on its own schedule, with its own phase. Every commit is reported with the moment COMMIT returned,
// which the probe uses as the source commit time.
import type { Fleet, ShipState } from '@fleetpivot/simulator';
import type { Pool } from '@fleetpivot/pgkit';
import { NARROW } from './data.ts';

export interface Commit {
  shipId: string;
  /** A cell this commit wrote: the probe's marker. */
  channelId: string;
  createdTime: string;
  committedAtMs: number;
}

export interface WriterOptions {
  periodMs: number;
  stepsPerCommit: number;
  /** Sample period of the data (15 s, as the seed's). */
  sampleMs?: number;
  /** First sample step to write (a later writer on the same table continues after an earlier one's nextStep). */
  firstStep?: number;
  onCommit?: (commit: Commit) => void;
  onError?: (err: unknown) => void;
}

export interface Writer {
  readonly rows: number;
  readonly commits: number;
  readonly overruns: number;
  /** One past the highest step any ship wrote. */
  readonly nextStep: number;
  stop(): Promise<void>;
}

const INSERT = `INSERT INTO ${NARROW} (ship_id, data_channel_id, created_time, value_format, double_v, long_v, str_v, bool_v)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::float8[], $6::int8[], $7::text[], $8::bool[])`;

function rowsOf(ship: ShipState, firstStep: number, steps: number, sampleMs: number): unknown[][] {
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  for (let s = firstStep; s < firstStep + steps; s++) {
    const time = new Date(s * sampleMs).toISOString();
    for (const { model } of ship.channels) {
      const v = model.value(s);
      cols[0]!.push(ship.shipId);
      cols[1]!.push(model.channelId);
      cols[2]!.push(time);
      cols[3]!.push(model.format);
      cols[4]!.push(v.double_v);
      cols[5]!.push(v.long_v);
      cols[6]!.push(v.str_v);
      cols[7]!.push(v.bool_v);
    }
  }
  return cols;
}

export function startWriter(pool: Pool, fleet: Fleet, o: WriterOptions): Writer {
  const sampleMs = o.sampleMs ?? 15_000;
  let stopped = false;
  const startStep = o.firstStep ?? Math.floor(Date.now() / sampleMs);
  const state = { rows: 0, commits: 0, overruns: 0, nextStep: startStep };
  const loops = fleet.ships.map(async (ship, index) => {
    // Ships are spread evenly over the period, as independent vessels would be.
    const phase = (index / fleet.ships.length) * o.periodMs;
    const t0 = performance.now() + phase;
    let step = startStep;
    for (let n = 0; !stopped; n++) {
      const due = t0 + n * o.periodMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (n > 0) state.overruns++;
      if (stopped) break;
      const cols = rowsOf(ship, step, o.stepsPerCommit, sampleMs);
      try {
        await pool.query(INSERT, cols);
      } catch (err) {
        o.onError?.(err);
        break;
      }
      const committedAtMs = performance.now();
      state.rows += cols[0]!.length;
      state.commits++;
      const marker = ship.channels[n % ship.channels.length]!.model.channelId;
      o.onCommit?.({ shipId: ship.shipId, channelId: marker, createdTime: new Date((step + o.stepsPerCommit - 1) * sampleMs).toISOString(), committedAtMs });
      step += o.stepsPerCommit;
      state.nextStep = Math.max(state.nextStep, step);
    }
  });
  return {
    get rows() {
      return state.rows;
    },
    get commits() {
      return state.commits;
    },
    get overruns() {
      return state.overruns;
    },
    get nextStep() {
      return state.nextStep;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
