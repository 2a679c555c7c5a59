import { quoteIdent, quoteLiteral, quoteQualified } from '@fleetpivot/pgkit';
import type { PartPlan } from './plan.ts';

/**
 * One set-based MERGE for one part table. Parameters: $1 timestamptz[], $2..$6 jsonb[] (k, v, oset, ofill, odel),
 * one element per wide row. Only the columns this batch touches appear; each column's new value is
 * chosen by its op: S sets, C clears, F fills only an empty cell whose value is not in _overflow.
 */
export function mergeSql(part: PartPlan): string {
  const table = quoteQualified(part.schema, part.table);
  const sets: string[] = [];
  const inserts: string[] = [];
  const values: string[] = [];
  for (const [column, { type, channel }] of part.columns) {
    const c = quoteIdent(column);
    const key = quoteLiteral(column);
    const val = `(s.v->>${key})::${type}`;
    sets.push(
      `${c} = CASE s.k->>${key} WHEN 'S' THEN ${val} WHEN 'C' THEN NULL ` +
        `WHEN 'F' THEN CASE WHEN t.${c} IS NULL AND NOT COALESCE(t._overflow ? ${quoteLiteral(channel)}, false) THEN ${val} ELSE t.${c} END ELSE t.${c} END`,
    );
    inserts.push(c);
    values.push(val);
  }
  const fills = [...part.fillOverflow].map(([channel, column]) => {
    const ch = quoteLiteral(channel);
    return ` || CASE WHEN s.ofill ? ${ch} AND t.${quoteIdent(column)} IS NULL AND NOT COALESCE(t._overflow ? ${ch}, false) THEN jsonb_build_object(${ch}, s.ofill->${ch}) ELSE '{}'::jsonb END`;
  });
  sets.push(`_overflow = NULLIF(COALESCE(t._overflow - ARRAY(SELECT jsonb_array_elements_text(s.odel)), '{}'::jsonb) || s.oset${fills.join('')}, '{}'::jsonb)`);
  return `MERGE INTO ${table} AS t
USING unnest($1::timestamptz[], $2::jsonb[], $3::jsonb[], $4::jsonb[], $5::jsonb[], $6::jsonb[]) AS s(created_time, k, v, oset, ofill, odel)
ON t.created_time = s.created_time
WHEN MATCHED THEN UPDATE SET ${sets.join(',\n  ')}
WHEN NOT MATCHED AND (s.v <> '{}'::jsonb OR s.oset <> '{}'::jsonb OR s.ofill <> '{}'::jsonb) THEN
  INSERT (created_time, ${inserts.join(', ')}, _overflow) VALUES (s.created_time, ${values.join(', ')}, NULLIF(s.oset || s.ofill, '{}'::jsonb))`;
}

/** Deletes rows of the part whose every cell is now empty (only rows this batch cleared a cell of). */
export function deleteEmptySql(part: PartPlan): string {
  return `DELETE FROM ${quoteQualified(part.schema, part.table)} AS t
WHERE t.created_time = ANY($1::timestamptz[]) AND t._overflow IS NULL AND jsonb_strip_nulls(to_jsonb(t)) - 'created_time' = '{}'::jsonb`;
}
