import type { CellOp, ColumnType, ShipRows } from '@fleetpivot/pivot';
import { overflowEntry, valueForColumn } from '@fleetpivot/pivot';
import type { ShipLayout } from './catalog.ts';

type Dict<T> = Record<string, T>;
const dict = <T>(): Dict<T> => Object.create(null) as Dict<T>; // no prototype: a channel named "__proto__" is just a key

/** One wide row's changes in one part table; serialised as jsonb for the MERGE. */
export interface PartRow {
  /** column → 'S' set, 'C' clear, 'F' fill-if-empty */
  k: Dict<string>;
  /** column → value as PostgreSQL input text */
  v: Dict<string>;
  /** channel → overflow entry to set */
  oset: Dict<unknown>;
  /** channel → overflow entry to fill if the cell is empty */
  ofill: Dict<unknown>;
  /** channels whose overflow entry a live op replaces */
  odel: string[];
  clears: boolean;
}

export interface PartPlan {
  schema: string;
  table: string;
  /** Touched columns: name → type, and the channel behind it (for the overflow check of FILL). */
  columns: Map<string, { type: ColumnType; channel: string }>;
  /** Channels with a FILL going to _overflow in this batch, with their column. */
  fillOverflow: Map<string, string>;
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

export const cellKey = (ship: string, channel: string, timeUs: bigint): string => `${ship}\u0000${channel}\u0000${timeUs}`;

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
        if (op.kind === 'SET' && tombstones.size > 0 && tombstones.has(cellKey(ship, channel, timeUs))) plan.tombstoneRemoves.push({ ship, channel, timeUs });
        if (op.kind === 'CLEAR') plan.tombstoneAdds.push({ ship, channel, timeUs });
        if (op.kind === 'FILL' && tombstones.size > 0 && tombstones.has(cellKey(ship, channel, timeUs))) continue;
        if (!col) {
          if (op.kind !== 'CLEAR') throw new Error(`no column for channel ${JSON.stringify(channel)} of ship ${JSON.stringify(ship)}`);
          continue; // a channel never seen with a value has no column: the cell is already empty
        }
        const qualified = `${col.schema}.${col.table}`;
        let part = plan.parts.get(qualified);
        if (!part) plan.parts.set(qualified, (part = { schema: col.schema, table: col.table, columns: new Map(), fillOverflow: new Map(), rows: new Map() }));
        let row = part.rows.get(timeUs);
        if (!row) part.rows.set(timeUs, (row = { k: dict(), v: dict(), oset: dict(), ofill: dict(), odel: [], clears: false }));
        part.columns.set(col.column, { type: col.type, channel });
        plan.cells += 1;
        placeOp(plan, part, row, ship, channel, col.column, col.type, op);
      }
    }
  }
  return plan;
}

function placeOp(plan: ApplyPlan, part: PartPlan, row: PartRow, ship: string, channel: string, column: string, type: ColumnType, op: CellOp): void {
  if (op.kind === 'CLEAR') {
    row.k[column] = 'C';
    row.odel.push(channel);
    row.clears = true;
    return;
  }
  const text = valueForColumn(op.value, type);
  if (text === null) {
    const key = `${ship}\u0000${channel}`;
    plan.overflows.set(key, (plan.overflows.get(key) ?? 0) + 1);
    if (op.kind === 'SET') {
      row.k[column] = 'C';
      row.oset[channel] = overflowEntry(op.value);
    } else {
      row.ofill[channel] = overflowEntry(op.value);
      part.fillOverflow.set(channel, column);
    }
    return;
  }
  row.k[column] = op.kind === 'SET' ? 'S' : 'F';
  row.v[column] = text;
  if (op.kind === 'SET') row.odel.push(channel);
}

/** µs since the epoch → an exact timestamptz literal (JS Dates stop at milliseconds). */
export function usToTimestamp(us: bigint): string {
  const secs = us / 1_000_000n - (us % 1_000_000n < 0n ? 1n : 0n);
  const frac = us - secs * 1_000_000n;
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${iso}.${frac.toString().padStart(6, '0')}Z`;
}
