import type { Pool } from '@fleetpivot/pgkit';
import { createNarrowTable } from '@fleetpivot/simulator';
import type { NarrowTableOptions } from '@fleetpivot/simulator';

export async function freshNarrowTable(pool: Pool, options: NarrowTableOptions): Promise<string> {
  const schema = options.schema ?? 'tenant';
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const client = await pool.connect();
  try {
    await createNarrowTable(client, options);
  } finally {
    client.release();
  }
  return `"${schema}".tbl_data_timeseries`;
}

/** An order-independent fingerprint of the whole table: md5 over every row's text, sorted. */
export async function tableChecksum(pool: Pool, table: string): Promise<{ rows: number; md5: string }> {
  const { rows } = await pool.query<{ rows: number; md5: string }>(
    `SELECT count(*)::int AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM ${table} t`,
  );
  return rows[0]!;
}

export interface Shape {
  rows: number;
  ships: number;
  series: number;
}

export async function tableShape(pool: Pool, table: string): Promise<Shape> {
  const { rows } = await pool.query<Shape>(
    `SELECT count(*)::int AS rows, count(DISTINCT ship_id)::int AS ships, count(DISTINCT (ship_id, data_channel_id))::int AS series FROM ${table}`,
  );
  return rows[0]!;
}

/** Rows whose value columns disagree with value_format (exactly the named one must be set). */
export async function badlyFormattedRows(pool: Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE NOT (
    (value_format = 'Decimal' AND double_v IS NOT NULL AND long_v IS NULL AND str_v IS NULL AND bool_v IS NULL) OR
    (value_format = 'Integer' AND double_v IS NULL AND long_v IS NOT NULL AND str_v IS NULL AND bool_v IS NULL) OR
    (value_format = 'String' AND double_v IS NULL AND long_v IS NULL AND str_v IS NOT NULL AND bool_v IS NULL) OR
    (value_format = 'Boolean' AND double_v IS NULL AND long_v IS NULL AND str_v IS NULL AND bool_v IS NOT NULL))`);
  return rows[0]!.n;
}
