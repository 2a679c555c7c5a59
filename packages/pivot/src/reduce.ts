import type { Change, ChangeBatch, Long } from '@fleetpivot/events';
import { cellValueOf, fillBlockProblem } from '@fleetpivot/events';
import type { CellOp, Parked, ParkReason, Position, Reduction, ShipFill, ShipRows } from './types.ts';

/**
 * Folds changes, in order, into at most one op per cell. Equivalent to applying them one by one:
 * a later SET/CLEAR overrides anything earlier; a FILL after a SET or CLEAR is dropped (the cell is
 * either non-empty or tombstoned by then); a FILL after a FILL replaces it.
 */
export class CellReducer {
  private readonly ships = new Map<string, ShipRows>();
  private readonly parked: Parked[] = [];
  private readonly fills: ShipFill[] = [];
  private changes = 0;

  /** Adds one decoded message. */
  add(batch: ChangeBatch, position: Position): void {
    const lsn = batch.source.lsn;
    const park = (reason: ParkReason, detail: string, index: number | null, change: Change | null) =>
      this.parked.push({ reason, detail, position, changeIndex: index, shipId: batch.ship_id, sourceLsn: lsn, change });
    if (batch.ship_id === null) {
      park('null_ship_id', 'batch has no ship_id', null, null);
      return;
    }
    batch.changes.forEach((change, index) => {
      const problem = this.addChange(batch.ship_id!, change);
      if (problem) park(problem[0], problem[1], index, change);
    });
    if (batch.fills) {
      const problem = fillBlockProblem(batch.fills);
      if (problem) park('invalid_fill_block', `fills: ${problem}`, null, null);
      else if (batch.ship_id.includes('\u0000')) park('invalid_identifier', 'id: ship_id contains NUL', null, null);
      else this.fills.push({ ship: batch.ship_id, block: batch.fills, position });
    }
  }

  /** Parks a message that could not even be decoded. */
  addUndecodable(position: Position, detail: string): void {
    this.parked.push({ reason: 'decode_failed', detail, position, changeIndex: null, shipId: null, sourceLsn: null, change: null });
  }

  result(): Reduction {
    return { ships: this.ships, parked: this.parked, changes: this.changes, fills: this.fills };
  }

  private addChange(batchShip: string, c: Change): [ParkReason, string] | undefined {
    if (c.op === 'TRUNCATE') return ['truncate_not_mirrored', 'TRUNCATE of the narrow table is not mirrored; clear wide tables by an operator action'];
    if (c.op === 'DELETE') {
      const key = keyOf(c.old?.ship_id ?? batchShip, c.old?.data_channel_id ?? c.data_channel_id, c.old?.created_time_us ?? c.created_time_us);
      if (typeof key === 'string') return invalid(key);
      this.put(key, { kind: 'CLEAR' });
      return undefined;
    }
    const key = keyOf(batchShip, c.data_channel_id, c.created_time_us);
    if (typeof key === 'string') return invalid(key);
    const value = cellValueOf(c);
    if (value === undefined) return ['unknown_value_format', `value_format ${JSON.stringify(c.value_format)} is not one of Decimal, Integer, String, Boolean`];
    if (value?.format === 'String' && value.value.includes('\u0000')) return ['invalid_value', 'str_v contains a NUL character'];
    if (c.op === 'BACKFILL') {
      if (value !== null) this.put(key, { kind: 'FILL', value });
      return undefined;
    }
    if (c.op === 'UPDATE' && c.old && (c.old.ship_id ?? batchShip) === batchShip) {
      // An UPDATE that moved the row to another key of the same ship empties the old cell. A move to another
      // ship is not cleared from here: the capture sends a DELETE in the old ship's batch, which is ordered
      // with that ship's other changes (a clear from this partition could overtake a later live SET there).
      const old = keyOf(batchShip, c.old.data_channel_id ?? key.channel, c.old.created_time_us ?? key.time);
      if (typeof old === 'string') return invalid(old);
      if (old.channel !== key.channel || old.time !== key.time) this.put(old, { kind: 'CLEAR' });
    }
    this.put(key, value === null ? { kind: 'CLEAR' } : { kind: 'SET', value });
    return undefined;
  }

  private put(key: CellKey, op: CellOp): void {
    this.changes += 1;
    let rows = this.ships.get(key.ship);
    if (!rows) this.ships.set(key.ship, (rows = new Map()));
    let cells = rows.get(key.time);
    if (!cells) rows.set(key.time, (cells = new Map()));
    const prev = cells.get(key.channel);
    if (op.kind === 'FILL' && prev && prev.kind !== 'FILL') return;
    cells.set(key.channel, op);
  }
}

interface CellKey {
  ship: string;
  channel: string;
  time: bigint;
}

function invalid(reason: string): [ParkReason, string] {
  const code: ParkReason = reason.startsWith('ship') ? 'null_ship_id' : reason.startsWith('channel') ? 'null_channel_id' : reason.startsWith('created') ? 'null_created_time' : 'invalid_identifier';
  return [code, reason];
}

/** The cell key, or a reason string when a part of it is missing or cannot name a column. */
function keyOf(ship: string | null, channel: string | null, time: Long | null): CellKey | string {
  if (ship === null) return 'ship_id is NULL';
  if (channel === null) return 'channel id is NULL';
  if (time === null) return 'created_time is NULL';
  // PostgreSQL text cannot hold NUL, so such an id could never be a real narrow row nor a column name.
  if (ship.includes('\u0000')) return 'id: ship_id contains NUL';
  if (channel.includes('\u0000')) return 'id: data_channel_id contains NUL';
  return { ship, channel, time: BigInt(time) };
}

/** Reduces decoded messages of one partition batch. */
export function reduceBatches(messages: ReadonlyArray<{ batch: ChangeBatch; position: Position }>): Reduction {
  const r = new CellReducer();
  for (const m of messages) r.add(m.batch, m.position);
  return r.result();
}
