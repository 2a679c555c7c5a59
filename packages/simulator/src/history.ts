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
import { chunkRows, planHistoryChunks } from './history-chunks.ts';
import type { HistoryChunk } from './history-chunks.ts';

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
    let done = 0;
    for (const chunk of planHistoryChunks(o.firstStep, o.endStep, fleet.ships.length * options.channels, o.skip, o.chunkRows)) {
      await client.query('BEGIN');
      try {
        const copy = client.query(copyFrom(`COPY ${table} (${NARROW_COLUMNS}) FROM STDIN`));
        await pipeline(historyRows(fleet, o.sampleMs, chunk), copy);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      done += chunkRows(chunk);
      const progress = { rows: done, totalRows: o.total - o.skip, seconds: (performance.now() - started) / 1000 };
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

/** COPY text for one chunk, produced only as fast as the COPY stream reads it (backpressure, no big arrays). */
export function historyRows(fleet: Fleet, sampleMs: number, chunk: HistoryChunk): Readable {
  const channelCount = fleet.ships[0]?.channels.length ?? 0;
  const steps = chunk.toStep - chunk.fromStep;
  const times = Array.from({ length: steps }, (_, i) => new Date((chunk.fromStep + i) * sampleMs).toISOString());
  let series = chunk.fromSeries;
  let offset = 0; // step offset within the current series
  return new Readable({
    read() {
      const lines: string[] = [];
      while (lines.length < ROWS_PER_PUSH && series < chunk.toSeries) {
        const ship = fleet.ships[Math.floor(series / channelCount)]!;
        const model = ship.channels[series % channelCount]!.model;
        const prefix = `${escapeCopyText(ship.shipId)}\t${escapeCopyText(model.channelId)}\t`;
        for (; offset < steps && lines.length < ROWS_PER_PUSH; offset++) {
          lines.push(`${prefix}${times[offset]}\t${copyValueFields(model.format, model.value(chunk.fromStep + offset))}\n`);
        }
        if (offset === steps) {
          offset = 0;
          series++;
        }
      }
      this.push(lines.join(''));
      if (series >= chunk.toSeries) this.push(null);
    },
  });
}
