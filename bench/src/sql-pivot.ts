// Baseline (a): the in-database pivot a DBA would write, per ship:
//   INSERT INTO wide SELECT created_time, max(double_v) FILTER (WHERE data_channel_id = '...'), ...
//   FROM narrow WHERE ship_id = '...' GROUP BY created_time
// typed per channel format. Timed from channel discovery to the last INSERT committed.
import { isValueFormat, type ValueFormat } from '@fleetpivot/events';
import { quoteIdent, quoteLiteral, quoteQualified, type Pool } from '@fleetpivot/pgkit';
import { NARROW, type Dataset } from './data.ts';
import { seconds } from './harness.ts';
import { countWideRows, createWideTable, dropSchema, resetSchema, singleLayout, type ChannelFormat } from './wide-tables.ts';

/** PostgreSQL's hard limit: a table has at most 1,600 columns (created_time is one of them). */
export const MAX_TABLE_COLUMNS = 1600;

export const SQL_SCHEMA = 'bench_sql_pivot';

export function sqlPivotImpossible(channels: number): string | undefined {
  return channels + 1 > MAX_TABLE_COLUMNS
    ? `cannot run: ${channels.toLocaleString('en')} channels need ${channels + 1} columns, over PostgreSQL's 1,600-column table limit`
    : undefined;
}

const AGG: Record<ValueFormat, string> = {
  Decimal: 'max(double_v)',
  Integer: 'max(long_v)',
  String: 'max(str_v)',
  Boolean: 'bool_or(bool_v)',
};

export function sqlPivotStatement(schema: string, table: string, shipId: string, channels: readonly ChannelFormat[], columnNames: readonly string[]): string {
  const targets = channels.map((c) => `${AGG[c.format]} FILTER (WHERE data_channel_id = ${quoteLiteral(c.channel)})`);
  return `INSERT INTO ${quoteQualified(schema, table)} (created_time, ${columnNames.map(quoteIdent).join(', ')})
SELECT created_time, ${targets.join(', ')}
FROM ${NARROW} WHERE ship_id = ${quoteLiteral(shipId)} GROUP BY created_time`;
}

export interface BaselineRun {
  seconds: number;
  phases: Record<string, number>;
}

export async function runSqlPivot(pool: Pool, data: Dataset): Promise<BaselineRun> {
  const client = await pool.connect();
  try {
    await resetSchema(client, SQL_SCHEMA);
    const start = process.hrtime.bigint();
    const found = await client.query<{ ship_id: string; data_channel_id: string; value_format: string }>(
      `SELECT ship_id, data_channel_id, min(value_format) AS value_format FROM ${NARROW} GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const discoverS = seconds(start);
    const byShip = new Map<string, ChannelFormat[]>();
    for (const r of found.rows) {
      if (!isValueFormat(r.value_format)) continue;
      const list = byShip.get(r.ship_id) ?? [];
      list.push({ channel: r.data_channel_id, format: r.value_format });
      byShip.set(r.ship_id, list);
    }
    const tables: string[] = [];
    for (const [shipId, channels] of byShip) {
      const part = singleLayout(shipId, channels);
      await createWideTable(client, SQL_SCHEMA, part);
      await client.query(sqlPivotStatement(SQL_SCHEMA, part.table, shipId, channels, part.columns.map((c) => c.columnName)));
      tables.push(part.table);
    }
    const total = seconds(start);
    const rows = await countWideRows(client, SQL_SCHEMA, tables);
    if (rows !== data.wideRows) throw new Error(`sql pivot wrote ${rows} wide rows, expected ${data.wideRows}`);
    await dropSchema(client, SQL_SCHEMA);
    return { seconds: total, phases: { discoverS, pivotS: total - discoverS } };
  } finally {
    client.release();
  }
}
