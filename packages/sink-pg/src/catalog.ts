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

/** Channel columns the cache keeps by default (~330 bytes of heap each: ~33 MiB). */
export const DEFAULT_CATALOG_CACHE_CHANNELS = 100_000;

/**
 * In-memory cache of ship layouts. The catalog only grows (tables and columns are never removed by the
 * pivot), so a cached layout is stale only by missing entries: a miss refreshes it from the database.
 * Bounded by channel columns, least recently used ship first: a 5,000-channel ship's layout is ~1.6 MiB of
 * heap, so a replica assigned a large fleet would otherwise grow until it reached its heap cap (the pivot's peak
 * RSS went from ~158 to ~185 MiB between 1M rows of 2 and of 10 such ships, about half of it this cache). An
 * evicted ship costs two catalog queries on its next batch; the ship just stored is never evicted, however large.
 */
export class CatalogCache {
  private readonly ships = new Map<string, ShipLayout>();
  private channels = 0;
  readonly maxChannels: number;

  constructor(maxChannels: number) {
    this.maxChannels = maxChannels;
  }

  get(shipId: string): ShipLayout | undefined {
    const layout = this.ships.get(shipId);
    if (layout) {
      // Map keeps insertion order: re-inserting makes this ship the most recently used.
      this.ships.delete(shipId);
      this.ships.set(shipId, layout);
    }
    return layout;
  }

  set(layout: ShipLayout): void {
    const old = this.ships.get(layout.shipId);
    if (old) {
      this.ships.delete(layout.shipId);
      this.channels -= old.channels.size;
    }
    this.ships.set(layout.shipId, layout);
    this.channels += layout.channels.size;
    for (const [shipId, oldest] of this.ships) {
      if (this.channels <= this.maxChannels || shipId === layout.shipId) break;
      this.ships.delete(shipId);
      this.channels -= oldest.channels.size;
    }
  }

  /** Ships and channel columns held (for tests). */
  get size(): { ships: number; channels: number } {
    return { ships: this.ships.size, channels: this.channels };
  }

  /** Forget one ship (a rollback dropped its tables). */
  forget(shipId: string): void {
    const old = this.ships.get(shipId);
    if (!old) return;
    this.ships.delete(shipId);
    this.channels -= old.channels.size;
  }

  /** Forget everything (after an apply error: an operator may have dropped a ship's tables). */
  clear(): void {
    this.ships.clear();
    this.channels = 0;
  }
}
