import type { CellOp, ColumnType, ShipRows } from '@fleetpivot/pivot';
import { overflowEntry, valueForColumn } from '@fleetpivot/pivot';
import type { ShipLayout } from './catalog.ts';

type Dict<T> = Record<string, T>;
const dict = <T>(): Dict<T> => Object.create(null) as Dict<T>; // no prototype: a channel named "__proto__" is just a key

/** A column op: S set, C clear, F fill-if-empty; '-' untouched in this row. */
export type Op = 'S' | 'C' | 'F' | '-';

/** One wide row's changes in one part table. Columns are addressed by their index in PartPlan.columns. */
export interface PartRow {
  ops: Op[];
  /** PostgreSQL input text of each touched column's new value (null: no value, e.g. a clear). */
  values: (string | null)[];
  /** channel → overflow entry to set (a live value its column cannot hold) */
  oset: Dict<unknown> | null;
  /** channel → overflow entry to fill if the cell is empty */
  ofill: Dict<unknown> | null;
  clears: boolean;
  /** Whether a missing wide row must be inserted (it gets a value, not only clears). */
  inserts: boolean;
}

export interface PartColumn {
  column: string;
  type: ColumnType;
  channel: string;
}

export interface PartPlan {
  schema: string;
  table: string;
  /** Touched columns, in parameter order. */
  columns: PartColumn[];
  index: Map<string, number>;
  /** Channels with a FILL going to _overflow in this batch, with their column. */
  fillOverflow: Map<string, string>;
  /** Whether any row sets or fills an _overflow entry (otherwise the SQL leaves those parameters out). */
  overflowWrites: boolean;
  rows: Map<bigint, PartRow>;
}

export interface CellKeyRow {
  ship: string;
  channel: string;
  timeUs: bigint;
}

export interface ApplyPlan {
  parts: Map<string, PartPlan>;
  tombstoneAdds: CellKeyRow[];
  tombstoneRemoves: CellKeyRow[];
  /** "ship\u0000channel" → values that went to _overflow */
  overflows: Map<string, number>;
  cells: number;
}

export const cellKey = (ship: string, channel: string, timeUs: bigint | number): string => `${ship}\u0000${channel}\u0000${timeUs}`;

/**
 * Turns reduced cell ops into per-part-table rows. `layouts` must hold a column for every channel with a
 * SET or FILL value; `tombstones` holds (at least) every tombstoned cell the batch touches (cellKey): a FILL
 * of one is dropped (live deleted it), a SET of one removes it.
 */
export function planApply(ships: ReadonlyMap<string, ShipRows>, layouts: ReadonlyMap<string, ShipLayout>, tombstones: ReadonlySet<string>): ApplyPlan {
  const plan: ApplyPlan = { parts: new Map(), tombstoneAdds: [], tombstoneRemoves: [], overflows: new Map(), cells: 0 };
  for (const [ship, rows] of ships) {
    const layout = layouts.get(ship);
    for (const [timeUs, cells] of rows) {
      for (const [channel, op] of cells) {
        const col = layout?.channels.get(channel);
        const tombstoned = tombstones.size > 0 && op.kind !== 'CLEAR' && tombstones.has(cellKey(ship, channel, timeUs));
        if (op.kind === 'SET' && tombstoned) plan.tombstoneRemoves.push({ ship, channel, timeUs });
        if (op.kind === 'CLEAR') plan.tombstoneAdds.push({ ship, channel, timeUs });
        if (op.kind === 'FILL' && tombstoned) continue;
        if (!col) {
          if (op.kind !== 'CLEAR') throw new Error(`no column for channel ${JSON.stringify(channel)} of ship ${JSON.stringify(ship)}`);
          continue; // a channel never seen with a value has no column: the cell is already empty
        }
        const qualified = `${col.schema}.${col.table}`;
        let part = plan.parts.get(qualified);
        if (!part) {
          part = { schema: col.schema, table: col.table, columns: [], index: new Map(), fillOverflow: new Map(), overflowWrites: false, rows: new Map() };
          plan.parts.set(qualified, part);
        }
        let i = part.index.get(col.column);
        if (i === undefined) {
          i = part.columns.push({ column: col.column, type: col.type, channel }) - 1;
          part.index.set(col.column, i);
        }
        let row = part.rows.get(timeUs);
        if (!row) part.rows.set(timeUs, (row = { ops: [], values: [], oset: null, ofill: null, clears: false, inserts: false }));
        plan.cells += 1;
        placeOp(plan, part, row, i, ship, channel, col.column, col.type, op);
      }
    }
  }
  return plan;
}

function placeOp(plan: ApplyPlan, part: PartPlan, row: PartRow, i: number, ship: string, channel: string, column: string, type: ColumnType, op: CellOp): void {
  row.values[i] = null;
  if (op.kind === 'CLEAR') {
    row.ops[i] = 'C';
    row.clears = true;
    return;
  }
  const text = valueForColumn(op.value, type);
  row.inserts = true;
  if (text === null) {
    const key = `${ship}\u0000${channel}`;
    plan.overflows.set(key, (plan.overflows.get(key) ?? 0) + 1);
    part.overflowWrites = true;
    if (op.kind === 'SET') {
      row.ops[i] = 'C'; // the column is emptied; the value lives in _overflow
      (row.oset ??= dict())[channel] = overflowEntry(op.value);
    } else {
      row.ops[i] = '-';
      (row.ofill ??= dict())[channel] = overflowEntry(op.value);
      part.fillOverflow.set(channel, column);
    }
    return;
  }
  row.ops[i] = op.kind === 'SET' ? 'S' : 'F';
  row.values[i] = text;
}

/**
 * A row's ops as one string, one character per column ('-' where this row leaves the column alone), in the
 * statement's column order (`order`: indexes into the part's columns).
 */
export function opsString(row: PartRow, order: readonly number[]): string {
  let s = '';
  for (const i of order) s += row.ops[i] ?? '-';
  return s;
}

export { usToTimestamp } from './timestamp-text.ts';
