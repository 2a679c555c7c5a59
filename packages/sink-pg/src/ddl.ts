import type pg from 'pg';
import type { ColumnMode, ColumnType, PartBudget, PartState } from '@fleetpivot/pivot';
import { assignColumns, columnTypeFor, safeIdentifierCandidates, tableBaseName } from '@fleetpivot/pivot';
import type { ValueFormat } from '@fleetpivot/events';
import { quoteIdent, quoteQualified, withLockTimeout, sqlState } from '@fleetpivot/pgkit';
import { readShipLayout, type ShipLayout } from './catalog.ts';
import { SinkError } from './errors.ts';

export interface DdlOptions {
  schema: string;
  mode: ColumnMode;
  budget: PartBudget;
  lockTimeoutMs: number;
  /** Called per table created / column added, for the DDL counter. */
  onDdl?: (kind: 'create_table' | 'add_column', count: number) => void;
}

// Two replicas creating look-alike tables of different ships race on a name: the loser retries with a fresh view.
const NAME_RACE = new Set(['23505', '42P07', '42701']);

/**
 * Makes sure every channel in `needed` has a column, creating part tables and adding nullable columns
 * (metadata-only, never a rewrite) under lock_timeout with retry. A per-ship advisory lock serialises
 * replicas extending the same ship; the layout is re-read under it, so a channel another replica just
 * added is found, not duplicated.
 */
export async function extendShip(client: pg.ClientBase, shipId: string, needed: ReadonlyMap<string, ValueFormat>, o: DdlOptions): Promise<ShipLayout> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withLockTimeout(client, (c) => extendLocked(c, shipId, needed, o), { lockTimeoutMs: o.lockTimeoutMs });
    } catch (err) {
      if (!NAME_RACE.has(sqlState(err) ?? '') || attempt >= 5) {
        throw new SinkError('ddl_failed', `extend wide tables of ship ${JSON.stringify(shipId)}`, { cause: err });
      }
    }
  }
}

async function extendLocked(c: pg.ClientBase, shipId: string, needed: ReadonlyMap<string, ValueFormat>, o: DdlOptions): Promise<ShipLayout> {
  await c.query(`SELECT pg_advisory_xact_lock(hashtextextended('fleetpivot.ship:' || $1, 0))`, [shipId]);
  const layout = await readShipLayout(c, shipId);
  const missing = [...needed].filter(([ch]) => !layout.channels.has(ch)).map(([channel, format]) => ({ channel, type: columnTypeFor(format, o.mode) }));
  if (missing.length === 0) return layout;
  const names = await c.query<{ part: number; column_name: string }>('SELECT part, column_name FROM fleetpivot.channel_columns WHERE ship_id = $1', [shipId]);
  const states: PartState[] = [...layout.parts.values()].map((p) => ({
    part: p.part,
    columns: p.columns,
    bytes: p.bytes,
    names: new Set(names.rows.filter((r) => r.part === p.part).map((r) => r.column_name)),
  }));
  const assigned = assignColumns(states, missing, o.budget);
  const columnSql = (a: (typeof assigned)[number]) => `${quoteIdent(a.columnName)} ${a.type}`;
  for (const s of states) {
    const adds = assigned.filter((a) => a.part === s.part);
    let p = layout.parts.get(s.part);
    if (!p) {
      // A new part is created with its columns: one CREATE TABLE of 850 columns takes ~35 ms, the same columns
      // added by ALTER TABLE ~380 ms (each ADD COLUMN re-reads the growing tuple descriptor).
      const table = await freeTableName(c, o.schema, tableBaseName(shipId, s.part));
      const columns = ['created_time timestamptz PRIMARY KEY', '_overflow jsonb', ...adds.map(columnSql)];
      await c.query(`CREATE TABLE ${quoteQualified(o.schema, table)} (${columns.join(', ')})`);
      await c.query('INSERT INTO fleetpivot.ship_tables (ship_id, part, table_schema, table_name, column_mode) VALUES ($1, $2, $3, $4, $5)', [shipId, s.part, o.schema, table, o.mode]);
      layout.parts.set(s.part, (p = { part: s.part, schema: o.schema, table, columns: 0, bytes: 0 }));
      o.onDdl?.('create_table', 1);
    } else if (adds.length > 0) {
      await c.query(`ALTER TABLE ${quoteQualified(p.schema, p.table)} ${adds.map((a) => `ADD COLUMN ${columnSql(a)}`).join(', ')}`);
    }
    if (adds.length === 0) continue;
    await c.query(
      `INSERT INTO fleetpivot.channel_columns (ship_id, data_channel_id, part, table_schema, table_name, column_name, column_type, value_format)
       SELECT $1, u.ch, $2, $3, $4, u.col, u.typ, u.fmt FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) AS u(ch, col, typ, fmt)`,
      [shipId, s.part, p.schema, p.table, adds.map((a) => a.channel), adds.map((a) => a.columnName), adds.map((a) => a.type), adds.map((a) => needed.get(a.channel))],
    );
    await c.query('UPDATE fleetpivot.ship_tables SET column_count = $3, byte_budget_used = $4 WHERE ship_id = $1 AND part = $2', [shipId, s.part, s.columns, s.bytes]);
    p.columns = s.columns;
    p.bytes = s.bytes;
    for (const a of adds) layout.channels.set(a.channel, { channel: a.channel, part: a.part, schema: p.schema, table: p.table, column: a.columnName, type: a.type as ColumnType });
    o.onDdl?.('add_column', adds.length);
  }
  return layout;
}

/** The first candidate name that neither the catalog nor the schema already uses. */
async function freeTableName(c: pg.ClientBase, schema: string, raw: string): Promise<string> {
  const candidates = safeIdentifierCandidates(raw, 8);
  const used = await c.query<{ name: string }>(
    `SELECT table_name AS name FROM fleetpivot.ship_tables WHERE table_schema = $1 AND table_name = ANY($2)
     UNION SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY($2)`,
    [schema, candidates],
  );
  const taken = new Set(used.rows.map((r) => r.name));
  const free = candidates.find((n) => !taken.has(n));
  if (!free) throw new SinkError('catalog_conflict', `no free table name for ${JSON.stringify(raw)}`);
  return free;
}
