import { quoteIdent, quoteLiteral, quoteQualified } from '@fleetpivot/pgkit';
import type { ColumnType } from '@fleetpivot/pivot';
import { opsString, usToTimestamp, type PartPlan, type PartRow } from './plan.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

export const ARRAY_TYPE: Record<ColumnType, string> = { 'double precision': 'float8[]', bigint: 'int8[]', boolean: 'bool[]', text: 'text[]' };

/**
 * A column's values for `rows` rows as an array parameter; NULL where a row has no value (null, or a hole in a
 * sparse array). Numbers and booleans arrive here as canonical PostgreSQL input text ("1.5", "-0", "NaN",
 * "-Infinity", "true"), none of which need quoting inside an array literal, so the literal is built directly;
 * text goes through the driver, which escapes it (as a dense array: the driver skips holes).
 */
export function columnArray(type: ColumnType, values: readonly (string | null | undefined)[], rows = values.length): unknown {
  if (type === 'text') {
    const out: (string | null)[] = new Array(rows);
    for (let r = 0; r < rows; r++) out[r] = values[r] ?? null;
    return out;
  }
  let s = '{';
  for (let r = 0; r < rows; r++) s += (r ? ',' : '') + (values[r] ?? 'NULL');
  return `${s}}`;
}

/**
 * Indexes of `columns` in column-name order. Statements list their columns in this order so that the same set
 * of columns always gives the same SQL text: prepared statements (prepared.ts) are then reused, instead of one
 * per order in which a batch happened to meet its columns.
 */
export function canonicalOrder(columns: readonly { column: string }[]): number[] {
  return columns.map((_, i) => i).sort((a, b) => (columns[a]!.column < columns[b]!.column ? -1 : columns[a]!.column > columns[b]!.column ? 1 : 0));
}

/** The rows' overflow entries to set and to fill, as jsonb[] parameters (only for parts that write any). */
export function overflowParams(rows: readonly [bigint, PartRow][]): unknown[] {
  return [rows.map(([, r]) => (r.oset ? JSON.stringify(r.oset) : null)), rows.map(([, r]) => (r.ofill ? JSON.stringify(r.ofill) : null))];
}

/** A new row's `_overflow`: what it sets and fills, or NULL (`s.oset` / `s.ofill` exist only when `ov`). */
export const newRowOverflowSql = (ov: boolean): string => (ov ? `NULLIF(COALESCE(s.oset, '{}'::jsonb) || COALESCE(s.ofill, '{}'::jsonb), '{}'::jsonb)` : 'NULL');

/** Appends one typed array per column, in `order`, to a statement's parameters (values, casts, unnest names v0..). */
export function addColumnParams(part: PartPlan, rows: readonly [bigint, PartRow][], order: readonly number[], st: { values: unknown[]; using: string[]; names: string[] }): void {
  const first = st.values.length + 1;
  order.forEach((k, i) => {
    const col = part.columns[k]!;
    st.values.push(columnArray(col.type, rows.map(([, r]) => r.values[k] ?? null)));
    st.using.push(`$${first + i}::${ARRAY_TYPE[col.type]}`);
    st.names.push(`v${i}`);
  });
}

/**
 * One set-based MERGE for one part table, column-wise: $1 created_time[], $2 one op string per row (a character
 * per touched column: S set, C clear, F fill if empty, - untouched), $3 whether a missing row is inserted,
 * [$4 $5 overflow entries to set / fill, only when this batch writes any], then one typed array per touched
 * column. Column-wise typed arrays let PostgreSQL parse each value once, with no jsonb in between.
 */
export function mergeStatement(part: PartPlan): Statement {
  const table = quoteQualified(part.schema, part.table);
  const rows = [...part.rows];
  const order = canonicalOrder(part.columns);
  const values: unknown[] = [
    rows.map(([t]) => usToTimestamp(t)),
    rows.map(([, r]) => opsString(r, order)),
    rows.map(([, r]) => r.inserts),
  ];
  const ov = part.overflowWrites;
  if (ov) values.push(...overflowParams(rows));
  const using: string[] = ['$1::timestamptz[]', '$2::text[]', '$3::bool[]', ...(ov ? ['$4::jsonb[]', '$5::jsonb[]'] : [])];
  const names: string[] = ['created_time', 'ops', 'ins', ...(ov ? ['oset', 'ofill'] : [])];
  addColumnParams(part, rows, order, { values, using, names });
  const sets: string[] = [];
  const removals: string[] = [];
  const columns = order.map((c) => part.columns[c]!);
  order.forEach((k, i) => {
    const col = part.columns[k]!;
    const c = quoteIdent(col.column);
    const ch = quoteLiteral(col.channel);
    const op = `substr(s.ops, ${i + 1}, 1)`;
    sets.push(`${c} = CASE ${op} WHEN 'S' THEN s.v${i} WHEN 'C' THEN NULL WHEN 'F' THEN CASE WHEN t.${c} IS NULL AND NOT COALESCE(t._overflow ? ${ch}, false) THEN s.v${i} ELSE t.${c} END ELSE t.${c} END`);
    // A live set or clear of a channel replaces whatever _overflow held for it.
    removals.push(`CASE WHEN ${op} IN ('S', 'C') THEN ${ch} END`);
  });
  const kept = `t._overflow - array_remove(ARRAY[${removals.join(', ')}]::text[], NULL)`;
  if (ov) {
    const fills = [...part.fillOverflow].map(([channel, column]) => {
      const ch = quoteLiteral(channel);
      return ` || CASE WHEN s.ofill ? ${ch} AND t.${quoteIdent(column)} IS NULL AND NOT COALESCE(t._overflow ? ${ch}, false) THEN jsonb_build_object(${ch}, s.ofill->${ch}) ELSE '{}'::jsonb END`;
    });
    sets.push(`_overflow = NULLIF(COALESCE(${kept}, '{}'::jsonb) || COALESCE(s.oset, '{}'::jsonb)${fills.join('')}, '{}'::jsonb)`);
  } else {
    sets.push(`_overflow = CASE WHEN t._overflow IS NULL THEN NULL ELSE NULLIF(${kept}, '{}'::jsonb) END`);
  }
  const insertOverflow = newRowOverflowSql(ov);
  const text = `MERGE INTO ${table} AS t
USING unnest(${using.join(', ')}) AS s(${names.join(', ')})
ON t.created_time = s.created_time
WHEN MATCHED THEN UPDATE SET ${sets.join(',\n  ')}
WHEN NOT MATCHED AND s.ins THEN
  INSERT (created_time, ${columns.map((c) => quoteIdent(c.column)).join(', ')}, _overflow)
  VALUES (s.created_time, ${columns.map((_, i) => `s.v${i}`).join(', ')}, ${insertOverflow})`;
  return { text, values };
}

/** Deletes rows of the part whose every cell is now empty (only rows this batch cleared a cell of). */
export function deleteEmptySql(part: PartPlan): string {
  return `DELETE FROM ${quoteQualified(part.schema, part.table)} AS t
WHERE t.created_time = ANY($1::timestamptz[]) AND t._overflow IS NULL AND jsonb_strip_nulls(to_jsonb(t)) - 'created_time' = '{}'::jsonb`;
}
