import type { Change, CellValue, FillBlock } from '@fleetpivot/events';

/**
 * What a batch does to one wide cell (ship, created_time, channel), after reduction:
 * SET and CLEAR come from live changes and always win; FILL comes from backfill and applies only to a
 * cell that is empty and was never deleted live (the "live wins" rule).
 */
export type CellOp = { kind: 'SET'; value: CellValue } | { kind: 'CLEAR' } | { kind: 'FILL'; value: CellValue };

/** Where a Kafka message sits, kept with parked changes so an operator can find the source. */
export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

export type ParkReason =
  | 'decode_failed'
  | 'unknown_value_format'
  | 'null_ship_id'
  | 'null_channel_id'
  | 'null_created_time'
  | 'invalid_identifier'
  | 'invalid_value'
  | 'truncate_not_mirrored'
  | 'invalid_fill_block';

/** A change (or a whole message when changeIndex is null) that cannot be applied, with why. */
export interface Parked {
  reason: ParkReason;
  detail: string;
  position: Position;
  changeIndex: number | null;
  shipId: string | null;
  sourceLsn: string | null;
  change: Change | null;
}

/** created_time in µs since the epoch → channel id → op. */
export type ShipRows = Map<bigint, Map<string, CellOp>>;

/** A well-formed columnar block of BACKFILL cells (schema v2 `fills`), applied by the sink after the cell ops. */
export interface ShipFill {
  ship: string;
  block: FillBlock;
  position: Position;
}

export interface Reduction {
  /** ship id → rows touched. */
  ships: Map<string, ShipRows>;
  /**
   * Columnar BACKFILL cells, in message order. They are not folded into `ships` cell by cell (that per-cell
   * Map work was the pivot's top cost on history replays): a FILL commutes with every other op under the
   * live-wins rule (it only fills a cell that is empty and not tombstoned), so the sink applies them after
   * the batch's cell ops, in the same transaction, with the same result as applying them in order.
   */
  fills: ShipFill[];
  parked: Parked[];
  /** Changes that became cell ops (before later ops overrode earlier ones). */
  changes: number;
}
