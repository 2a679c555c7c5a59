import type pg from 'pg';
import type { ColumnType } from '@fleetpivot/pivot';

export interface ChannelColumn {
  channel: string;
  part: number;
  schema: string;
  table: string;
  column: string;
  type: ColumnType;
}

export interface PartTable {
  part: number;
  schema: string;
  table: string;
  columns: number;
  bytes: number;
}

/** One ship's wide layout as the catalog records it. */
export interface ShipLayout {
  shipId: string;
  parts: Map<number, PartTable>;
  channels: Map<string, ChannelColumn>;
}

/** Reads a ship's layout from the catalog (fleetpivot.ship_tables / channel_columns). */
export async function readShipLayout(db: pg.ClientBase | pg.Pool, shipId: string): Promise<ShipLayout> {
  const parts = await db.query<{ part: number; table_schema: string; table_name: string; column_count: number; byte_budget_used: number }>(
    'SELECT part, table_schema, table_name, column_count, byte_budget_used FROM fleetpivot.ship_tables WHERE ship_id = $1',
    [shipId],
  );
  const cols = await db.query<{ data_channel_id: string; part: number; table_schema: string; table_name: string; column_name: string; column_type: ColumnType }>(
    'SELECT data_channel_id, part, table_schema, table_name, column_name, column_type FROM fleetpivot.channel_columns WHERE ship_id = $1',
    [shipId],
  );
  return {
    shipId,
    parts: new Map(parts.rows.map((r) => [r.part, { part: r.part, schema: r.table_schema, table: r.table_name, columns: r.column_count, bytes: r.byte_budget_used }])),
    channels: new Map(
      cols.rows.map((r) => [r.data_channel_id, { channel: r.data_channel_id, part: r.part, schema: r.table_schema, table: r.table_name, column: r.column_name, type: r.column_type }]),
    ),
  };
}

/**
 * In-memory cache of ship layouts. The catalog only grows (tables and columns are never removed by the
 * pivot), so a cached layout is stale only by missing entries: a miss refreshes it from the database.
 */
export class CatalogCache {
  private readonly ships = new Map<string, ShipLayout>();

  get(shipId: string): ShipLayout | undefined {
    return this.ships.get(shipId);
  }

  set(layout: ShipLayout): void {
    this.ships.set(layout.shipId, layout);
  }

  /** Forget everything (after an apply error: an operator may have dropped a ship's tables). */
  clear(): void {
    this.ships.clear();
  }
}
