import type { FillColumn, Long } from '@fleetpivot/events';
import { fillTimes, fillValue } from '@fleetpivot/events';
import type { ColumnType, ShipFill, ShipRows } from '@fleetpivot/pivot';
import { valueForColumn } from '@fleetpivot/pivot';
import type { ChannelColumn, ShipLayout } from './catalog.ts';
import type { PartColumn } from './plan.ts';
import { cellKey } from './plan.ts';
import type { ShipWindow } from './tombstones.ts';
import { binaryValueText, binaryWidth, FillColumnValues } from './binary-array.ts';

/** One part table's fills, column-wise: values[column] holds each row's value, or none (no fill). */
export interface FillPart {
  schema: string;
  table: string;
  columns: PartColumn[];
  index: Map<string, number>;
  values: FillColumnValues[];
  times: Long[];
  rowOf: Map<Long, number>;
}

export interface FillPlan {
  parts: Map<string, FillPart>;
  /** FILLs whose value does not fit its column (they go to `_overflow` through the cell-op planner). */
  fallback: Map<string, ShipRows>;
  cells: number;
}

/** Each ship's time window over its blocks (times are ascending in a block): one tombstone range read covers them. */
export function fillWindows(fills: readonly ShipFill[]): ShipWindow[] {
  const windows = new Map<string, ShipWindow>();
  for (const { ship, block } of fills) {
    const n = block.times_us.length >> 3;
    if (n === 0) continue;
    const lo = block.times_us.readBigInt64BE(0);
    const hi = block.times_us.readBigInt64BE((n - 1) * 8);
    const w = windows.get(ship);
    if (!w) windows.set(ship, { ship, minUs: lo, maxUs: hi });
    else {
      if (lo < w.minUs) w.minUs = lo;
      if (hi > w.maxUs) w.maxUs = hi;
    }
  }
  return [...windows.values()];
}


/**
 * The k-th present value of a column as input text for a column of `type`; null when it does not fit (the
 * rule of `valueForColumn`). The four same-type pairings are read straight from the packed bytes.
 */
export function fillText(col: FillColumn, k: number, type: ColumnType): string | null {
  const width = binaryWidth(col.value_format, type);
  if (width > 0) return binaryValueText(type, col.values, k * width);
  if (col.value_format === 'String' && type === 'text') return col.strings[k]!;
  return valueForColumn(fillValue(col, k), type);
}

function partFor(plan: FillPlan, cc: ChannelColumn, byColumn: Map<ChannelColumn, FillPart>): FillPart {
  // By the layout's column object first: a key string per column of every block was a top cost at 5,000 channels.
  let part = byColumn.get(cc);
  if (part) return part;
  const key = `${cc.schema}.${cc.table}`;
  part = plan.parts.get(key);
  if (!part) plan.parts.set(key, (part = { schema: cc.schema, table: cc.table, columns: [], index: new Map(), values: [], times: [], rowOf: new Map() }));
  byColumn.set(cc, part);
  return part;
}

/**
 * Turns columnar blocks into per-part-table fill rows. Cells in `tombstones` (cellKey) are dropped: live deleted
 * them. A later block's value for the same cell replaces an earlier one (as FILL after FILL does).
 */
export function planFills(fills: readonly ShipFill[], layouts: ReadonlyMap<string, ShipLayout>, tombstones: ReadonlySet<string>): FillPlan {
  const plan: FillPlan = { parts: new Map(), fallback: new Map(), cells: 0 };
  const byColumn = new Map<ChannelColumn, FillPart>();
  // No part gets more rows than the batch has times: column value arrays are sized once.
  let capacity = 0;
  for (const { block } of fills) capacity += block.times_us.length >> 3;
  for (const { ship, block } of fills) {
    const layout = layouts.get(ship);
    const times = fillTimes(block);
    const rowIndex = new Map<FillPart, Int32Array>();
    for (const col of block.columns) {
      const channel = col.data_channel_id;
      const cc = layout?.channels.get(channel);
      if (!cc) throw new Error(`no column for channel ${JSON.stringify(channel)} of ship ${JSON.stringify(ship)}`);
      const part = partFor(plan, cc, byColumn);
      let rows = rowIndex.get(part);
      if (!rows) rowIndex.set(part, (rows = new Int32Array(times.length).fill(-1)));
      let ci = part.index.get(cc.column);
      if (ci === undefined) {
        ci = part.columns.push({ column: cc.column, type: cc.type, channel }) - 1;
        part.index.set(cc.column, ci);
        part.values.push(new FillColumnValues(cc.type, capacity));
      }
      const out = part.values[ci]!;
      // The block's bytes are the column's binary values as they are (binary-array.ts).
      const width = binaryWidth(col.value_format, cc.type);
      const present = col.present;
      let k = 0;
      for (let byte = 0; byte < present.length; byte++) {
        let bits = present[byte]!;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const i = byte * 8 + (31 - Math.clz32(low));
          const cell = k++;
          const t = times[i]!;
          if (tombstones.size > 0 && tombstones.has(cellKey(ship, channel, t))) continue;
          const raw = width > 0 && out.binary;
          const text = raw ? null : fillText(col, cell, cc.type);
          if (!raw && text === null) {
            let shipRows = plan.fallback.get(ship);
            if (!shipRows) plan.fallback.set(ship, (shipRows = new Map()));
            const key = BigInt(t);
            let cells = shipRows.get(key);
            if (!cells) shipRows.set(key, (cells = new Map()));
            cells.set(channel, { kind: 'FILL', value: fillValue(col, cell) });
            continue;
          }
          let r = rows[i]!;
          if (r < 0) {
            r = part.rowOf.get(t) ?? -1;
            if (r < 0) {
              r = part.times.push(t) - 1;
              part.rowOf.set(t, r);
            }
            rows[i] = r;
          }
          if (raw) out.setRaw(r, col.values, cell * width);
          else out.setText(r, text!);
          plan.cells += 1;
        }
      }
    }
  }
  return plan;
}
