import type pg from 'pg';
import { quoteLiteral, quoteQualified } from '@fleetpivot/pgkit';

export interface NarrowSource {
  schema: string;
  table: string;
}

export interface CellMismatch {
  channel: string;
  created_time: string;
  expected: string | null;
  actual: string | null;
}

export interface VerifyResult {
  shipId: string;
  /** Non-empty cells of the narrow table's pivot. */
  expectedCells: number;
  /** Non-empty cells found in the wide tables (columns and _overflow). */
  actualCells: number;
  mismatches: number;
  sample: CellMismatch[];
}

// A wide cell matches when its column holds the narrow value in the column's type (conversions only where
// lossless), or when _overflow holds {format, value::text}. Written independently of the pivot's TS code.
const MATCH = `CASE a.typ
  WHEN 'overflow' THEN a.j = jsonb_build_object('format', e.f, 'value', e.txt)
  WHEN 'text' THEN a.j #>> '{}' = e.txt
  WHEN 'double precision' THEN (a.j #>> '{}')::float8 = CASE e.f WHEN 'Decimal' THEN e.d WHEN 'Integer' THEN CASE WHEN abs(e.l) <= 9007199254740992 THEN e.l::float8 END END
  WHEN 'bigint' THEN (a.j #>> '{}')::bigint = CASE e.f WHEN 'Integer' THEN e.l
    WHEN 'Decimal' THEN CASE WHEN e.d = trunc(e.d) AND abs(e.d) < 9.2e18 AND e.txt <> '-0' THEN e.d::bigint END END
  WHEN 'boolean' THEN e.f = 'Boolean' AND (a.j #>> '{}')::boolean = e.b
  ELSE false END`;

/**
 * Compares one ship's wide tables with the pivot of the narrow table, cell for cell, in SQL.
 * Both must be in the database `db` points at; for a narrow table in another database, verifyShipAcross.
 */
export async function verifyShip(db: pg.ClientBase | pg.Pool, narrow: NarrowSource, shipId: string, sampleSize = 20): Promise<VerifyResult> {
  const parts = await db.query<{ table_schema: string; table_name: string }>('SELECT table_schema, table_name FROM fleetpivot.ship_tables WHERE ship_id = $1 ORDER BY part', [shipId]);
  const actual = parts.rows.length === 0
    ? `SELECT NULL::text AS ch, NULL::timestamptz AS t, NULL::text AS typ, NULL::jsonb AS j WHERE false`
    : parts.rows
        .map((p) => {
          const w = quoteQualified(p.table_schema, p.table_name);
          return `SELECT cc.data_channel_id, w.created_time, cc.column_type, e.value
  FROM ${w} w CROSS JOIN LATERAL jsonb_each(to_jsonb(w) - 'created_time' - '_overflow') e
  JOIN fleetpivot.channel_columns cc ON cc.table_schema = ${quoteLiteral(p.table_schema)} AND cc.table_name = ${quoteLiteral(p.table_name)} AND cc.column_name = e.key
  WHERE e.value <> 'null'::jsonb
UNION ALL SELECT o.key, w.created_time, 'overflow', o.value FROM ${w} w CROSS JOIN LATERAL jsonb_each(w._overflow) o`;
        })
        .join('\nUNION ALL\n');
  const sql = `WITH e AS (
  SELECT n.data_channel_id AS ch, n.created_time AS t, n.value_format AS f, n.double_v AS d, n.long_v AS l, n.bool_v AS b,
    CASE n.value_format WHEN 'Decimal' THEN n.double_v::text WHEN 'Integer' THEN n.long_v::text WHEN 'String' THEN n.str_v WHEN 'Boolean' THEN n.bool_v::text END AS txt
  FROM ${quoteQualified(narrow.schema, narrow.table)} n WHERE n.ship_id = $1 AND n.data_channel_id IS NOT NULL AND n.created_time IS NOT NULL
), e2 AS (SELECT * FROM e WHERE txt IS NOT NULL),
a AS (SELECT x.ch, x.t, x.typ, x.j FROM (${actual}) AS x(ch, t, typ, j)),
cmp AS (
  SELECT COALESCE(e.ch, a.ch) AS ch, COALESCE(e.t, a.t) AS t, e.f || ':' || e.txt AS expected, a.typ || ':' || (a.j #>> '{}') AS actual,
    e.ch IS NOT NULL AND a.ch IS NOT NULL AND COALESCE(${MATCH}, false) AS ok
  FROM e2 AS e FULL JOIN a ON a.ch = e.ch AND a.t = e.t
)
SELECT (SELECT count(*) FROM e2)::int AS expected_cells, (SELECT count(*) FROM a)::int AS actual_cells,
  (SELECT count(*) FROM cmp WHERE NOT ok)::int AS mismatches,
  (SELECT COALESCE(jsonb_agg(x), '[]') FROM (SELECT ch AS channel, t::text AS created_time, expected, actual FROM cmp WHERE NOT ok ORDER BY t, ch LIMIT ${Math.max(0, Math.floor(sampleSize))}) x) AS sample`;
  const r = await db.query<{ expected_cells: number; actual_cells: number; mismatches: number; sample: CellMismatch[] }>(sql, [shipId]);
  const row = r.rows[0]!;
  return { shipId, expectedCells: row.expected_cells, actualCells: row.actual_cells, mismatches: row.mismatches, sample: row.sample };
}

/** Verifies every ship that appears in the narrow table or in the catalog. */
export async function verifyAll(db: pg.ClientBase | pg.Pool, narrow: NarrowSource): Promise<VerifyResult[]> {
  const out: VerifyResult[] = [];
  for (const shipId of await shipsToVerify(db, narrow)) out.push(await verifyShip(db, narrow, shipId));
  return out;
}

/** The ships of the narrow table and of the wide tables' catalog, in one database, sorted, each once. */
export async function shipsToVerify(db: pg.ClientBase | pg.Pool, narrow: NarrowSource): Promise<string[]> {
  const ships = await db.query<{ ship_id: string }>(
    `SELECT ship_id FROM ${quoteQualified(narrow.schema, narrow.table)} WHERE ship_id IS NOT NULL UNION SELECT ship_id FROM fleetpivot.ship_tables ORDER BY 1`,
  );
  return ships.rows.map((r) => r.ship_id);
}
