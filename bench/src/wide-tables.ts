// Wide tables for the baselines, laid out with fleetpivot's own planner (packages/pivot) so the floor
// writes exactly the tables and columns fleetpivot writes; the SQL pivot gets the one table a DBA would make.
import { assignColumns, columnTypeFor, RESERVED_COLUMNS, tableBaseName, uniqueIdentifier, type ColumnAssignment, type PartState } from '@fleetpivot/pivot';
import type { ValueFormat } from '@fleetpivot/events';
import { quoteIdent, quoteQualified, safeIdentifier } from '@fleetpivot/pgkit';
import type pg from 'pg';

export interface ChannelFormat {
  channel: string;
  format: ValueFormat;
}

export interface WidePart {
  table: string;
  columns: ColumnAssignment[];
}

/** fleetpivot's layout: parts by column and row-byte budget. */
export function partedLayout(shipId: string, channels: readonly ChannelFormat[]): WidePart[] {
  const parts: PartState[] = [];
  const placed = assignColumns(parts, channels.map((c) => ({ channel: c.channel, type: columnTypeFor(c.format, 'typed') })));
  return parts.map((p) => ({ table: safeIdentifier(tableBaseName(shipId, p.part)), columns: placed.filter((a) => a.part === p.part) }));
}

/** The DBA's layout: one table per ship, one column per channel, whatever the count. */
export function singleLayout(shipId: string, channels: readonly ChannelFormat[]): WidePart {
  const names = new Set<string>();
  const columns = channels.map((c) => {
    const columnName = uniqueIdentifier(c.channel, (n) => names.has(n), RESERVED_COLUMNS);
    names.add(columnName);
    return { channel: c.channel, part: 1, columnName, type: columnTypeFor(c.format, 'typed') };
  });
  return { table: safeIdentifier(tableBaseName(shipId, 1)), columns };
}

export async function createWideTable(client: pg.ClientBase, schema: string, part: WidePart): Promise<void> {
  const cols = part.columns.map((c) => `${quoteIdent(c.columnName)} ${c.type}`);
  await client.query(`CREATE TABLE ${quoteQualified(schema, part.table)} (created_time timestamptz PRIMARY KEY${cols.length ? ', ' : ''}${cols.join(', ')})`);
}

export async function resetSchema(client: pg.ClientBase, schema: string): Promise<void> {
  await dropSchema(client, schema);
  await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
}

/**
 * Drops a system's output once it is checked: left in place, autovacuum's ANALYZE of its fresh wide tables (seconds
 * of CPU at 1,000 columns) ran during the next system's timed run, on the same two cores.
 */
export async function dropSchema(client: Pick<pg.ClientBase, 'query'>, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

/** Rows in every part-1 table of a schema (each wide row has exactly one part-1 row). */
export async function countWideRows(client: pg.ClientBase, schema: string, tables: readonly string[]): Promise<number> {
  let total = 0;
  for (const t of tables) {
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(schema, t)}`);
    total += Number(r.rows[0]?.n ?? 0);
  }
  return total;
}
