import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { quoteQualified } from '@fleetpivot/pgkit';
import type { Logger } from '@fleetpivot/telemetry';
import { createFleet } from './fleet-state.ts';
import type { Fleet, FleetOptions } from './fleet-state.ts';
import { copyValueFields, escapeCopyText } from './copy-text.ts';
import { resolveHistoryOptions } from './options.ts';

export interface HistoryOptions extends FleetOptions {
  schema?: string;
  table?: string;
  /** Sample period; default 15 000 (15-second samples). */
  sampleMs?: number;
  /** History ends just before this instant (exclusive); default now. Fix it for reproducible content. */
  endTime?: Date;
  /** Days of samples per ship and channel. Give `days` or `rows`. */
  days?: number;
  /** Exactly this many rows; the oldest sample step is then partly filled. */
  rows?: number;
  /** Rows per COPY transaction; default 200 000, so logical decoding of one transaction stays small. */
  chunkRows?: number;
  logger?: Logger;
  onProgress?: (progress: { rows: number; totalRows: number; seconds: number }) => void;
}

export interface HistoryResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  ships: string[];
  channelsPerShip: number;
  sampleMs: number;
  /** Step = created_time / sampleMs. Steps firstStep..endStep-1 hold samples. */
  firstStep: number;
  endStep: number;
  /** True when `rows` cut the oldest step short: not every channel has a sample at firstStep. */
  partialFirstStep: boolean;
  fleet: Fleet;
}

const ROWS_PER_PUSH = 2000;
export const NARROW_COLUMNS = 'ship_id, data_channel_id, created_time, value_format, double_v, long_v, str_v, bool_v';

/** Bulk-loads history with COPY in chunked transactions, generating rows as the stream asks for them. */
export async function loadHistory(pool: pg.Pool, options: HistoryOptions): Promise<HistoryResult> {
  const o = resolveHistoryOptions(options);
  const fleet = createFleet(options, o.firstStep);
  const table = quoteQualified(options.schema ?? 'tenant', options.table ?? 'tbl_data_timeseries');
  const started = performance.now();
  const client = await pool.connect();
  try {
    for (let from = o.skip; from < o.total; from += o.chunkRows) {
      const to = Math.min(o.total, from + o.chunkRows);
      await client.query('BEGIN');
      try {
        const copy = client.query(copyFrom(`COPY ${table} (${NARROW_COLUMNS}) FROM STDIN`));
        await pipeline(historyRows(fleet, o.firstStep, o.sampleMs, from, to), copy);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      const progress = { rows: to - o.skip, totalRows: o.total - o.skip, seconds: (performance.now() - started) / 1000 };
      options.logger?.info(progress, 'history chunk committed');
      options.onProgress?.(progress);
    }
  } finally {
    client.release();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = o.total - o.skip;
  return {
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    ships: fleet.ships.map((s) => s.shipId),
    channelsPerShip: options.channels,
    sampleMs: o.sampleMs,
    firstStep: o.firstStep,
    endStep: o.endStep,
    partialFirstStep: o.skip > 0,
    fleet,
  };
}

/**
 * COPY text for global row indexes [from, to): index = (step offset × ships + ship) × channels + channel,
 * i.e. time-major like a fleet's arrivals. Rows are produced only when the COPY stream reads (backpressure).
 */
export function historyRows(fleet: Fleet, firstStep: number, sampleMs: number, from: number, to: number): Readable {
  const shipCount = fleet.ships.length;
  const channelCount = fleet.ships[0]?.channels.length ?? 0;
  const prefixes = fleet.ships.map((ship) =>
    ship.channels.map((c) => `${escapeCopyText(ship.shipId)}\t${escapeCopyText(c.model.channelId)}\t`),
  );
  const models = fleet.ships.map((ship) => ship.channels.map((c) => c.model));
  let next = from;
  let timeStep = Number.NaN;
  let timeText = '';
  return new Readable({
    read() {
      const end = Math.min(to, next + ROWS_PER_PUSH);
      const lines: string[] = [];
      for (; next < end; next++) {
        const channel = next % channelCount;
        const rest = (next - channel) / channelCount;
        const ship = rest % shipCount;
        const step = firstStep + (rest - ship) / shipCount;
        if (step !== timeStep) {
          timeStep = step;
          timeText = new Date(step * sampleMs).toISOString();
        }
        const model = models[ship]![channel]!;
        lines.push(`${prefixes[ship]![channel]}${timeText}\t${copyValueFields(model.format, model.value(step))}\n`);
      }
      this.push(lines.join(''));
      if (next >= to) this.push(null);
    },
  });
}
