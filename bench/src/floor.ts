// Baseline (b), the floor: the least work any narrow → wide migration must do on this machine.
//   phase 1: COPY (SELECT ... FROM narrow) TO STDOUT, every row parsed and pivoted in JS into wide rows
//            (values stay in COPY text form: no decoding, no encoding, no Kafka, no durability points);
//   phase 2: CREATE the wide tables (fleetpivot's part layout) and COPY the wide rows in, one COPY per part.
// No upsert, no offsets, no catalog, no verification inside the timing: a lower bound, not a competitor.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { isValueFormat, type ValueFormat } from '@fleetpivot/events';
import { quoteIdent, quoteQualified, type Pool } from '@fleetpivot/pgkit';
import { NARROW, type Dataset } from './data.ts';
import { seconds } from './harness.ts';
import type { BaselineRun } from './sql-pivot.ts';
import { countWideRows, createWideTable, dropSchema, partedLayout, resetSchema } from './wide-tables.ts';

export const FLOOR_SCHEMA = 'bench_floor';

interface ShipWide {
  channels: Map<string, { index: number; format: ValueFormat }>;
  rows: Map<string, string[]>;
}

const VALUE_FIELD: Record<ValueFormat, number> = { Decimal: 4, Integer: 5, String: 6, Boolean: 7 };

/** Pivots COPY text lines of the narrow table into per-ship wide rows (exported for its unit test). */
export class TextPivot {
  readonly ships = new Map<string, ShipWide>();
  #carry = '';

  push(chunk: string): void {
    const text = this.#carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.#line(text.slice(start, nl));
      start = nl + 1;
    }
    this.#carry = text.slice(start);
  }

  #line(line: string): void {
    const f = line.split('\t');
    const format = f[3] ?? null;
    if (f.length !== 8 || !isValueFormat(format)) return;
    const [shipId, channel, time] = f as [string, string, string];
    let ship = this.ships.get(shipId);
    if (!ship) this.ships.set(shipId, (ship = { channels: new Map(), rows: new Map() }));
    let col = ship.channels.get(channel);
    if (!col) ship.channels.set(channel, (col = { index: ship.channels.size, format }));
    let row = ship.rows.get(time);
    if (!row) ship.rows.set(time, (row = []));
    row[col.index] = f[VALUE_FIELD[format]]!;
  }
}

/** COPY text of wide rows for one part: created_time then the part's channel values (\N when absent). */
export function* wideLines(rows: Map<string, string[]>, indexes: readonly number[], perChunk = 500): Generator<string> {
  let lines: string[] = [];
  for (const [time, values] of rows) {
    let line = time;
    for (const i of indexes) line += `\t${values[i] ?? '\\N'}`;
    lines.push(line);
    if (lines.length >= perChunk) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length) yield `${lines.join('\n')}\n`;
}

export async function runFloor(pool: Pool, data: Dataset): Promise<BaselineRun> {
  const client = await pool.connect();
  try {
    await resetSchema(client, FLOOR_SCHEMA);
    const start = process.hrtime.bigint();
    const pivot = new TextPivot();
    const out = client.query(copyTo(`COPY (SELECT ship_id, data_channel_id, created_time, value_format, double_v, long_v, str_v, bool_v FROM ${NARROW}) TO STDOUT`));
    out.setEncoding('utf8');
    for await (const chunk of out) pivot.push(chunk as string);
    const copyOutS = seconds(start);
    const tables: string[] = [];
    for (const [shipId, ship] of pivot.ships) {
      const channels = [...ship.channels].map(([channel, c]) => ({ channel, format: c.format }));
      for (const part of partedLayout(shipId, channels)) {
        await createWideTable(client, FLOOR_SCHEMA, part);
        if (part.columns[0]?.part === 1) tables.push(part.table);
        const indexes = part.columns.map((c) => ship.channels.get(c.channel)!.index);
        const cols = ['created_time', ...part.columns.map((c) => c.columnName)].map(quoteIdent).join(', ');
        const copy = client.query(copyFrom(`COPY ${quoteQualified(FLOOR_SCHEMA, part.table)} (${cols}) FROM STDIN`));
        await pipeline(Readable.from(wideLines(ship.rows, indexes)), copy);
      }
    }
    const total = seconds(start);
    const rows = await countWideRows(client, FLOOR_SCHEMA, tables);
    if (rows !== data.wideRows) throw new Error(`floor wrote ${rows} wide rows, expected ${data.wideRows}`);
    await dropSchema(client, FLOOR_SCHEMA);
    return { seconds: total, phases: { copyOutPivotS: copyOutS, copyInS: total - copyOutS } };
  } finally {
    client.release();
  }
}
