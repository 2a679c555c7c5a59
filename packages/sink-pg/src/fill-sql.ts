import { quoteIdent, quoteLiteral, quoteQualified } from '@fleetpivot/pgkit';
import type { FillPart } from './fill-plan.ts';
import { ARRAY_TYPE, canonicalOrder, type Statement } from './merge-sql.ts';
import { timestampArray } from './binary-array.ts';

/**
 * A part's fill parameters, shared by its INSERT and its MERGE (built once when both run): $1 the times, then
 * one array per column, columns in name order (the same column set then gives the same text, so the prepared
 * statement is reused instead of a new ~170 kB one per order at 5,000 channels).
 */
export interface FillParameters {
  order: number[];
  values: unknown[];
  using: string[];
}

export function fillParameters(part: FillPart): FillParameters {
  const rows = part.times.length;
  const order = canonicalOrder(part.columns);
  const values: unknown[] = [timestampArray(part.times)];
  const using = ['$1::timestamptz[]'];
  order.forEach((k, i) => {
    values.push(part.values[k]!.param(rows));
    using.push(`$${i + 2}::${ARRAY_TYPE[part.columns[k]!.type]}`);
  });
  return { order, values, using };
}

/**
 * A fill's new rows as an INSERT: rows the part table does not hold yet are inserted as they are, every other row
 * is left to fillMergeStatement. A new row has no live value, no `_overflow` entry and no tombstone the planner did
 * not already drop, so inserting the fill is exactly what the MERGE would do. Since 5eac54d the new rows normally
 * go in by binary COPY (fill-copy.ts; 4–7× less PostgreSQL time in a scratch test); this statement remains for a part whose
 * non-text column holds converted text, which a binary COPY cannot carry. The caller runs the MERGE only when
 * fewer rows were inserted than sent.
 */
export function fillInsertStatement(part: FillPart, p = fillParameters(part)): Statement {
  const columns = p.order.map((c) => quoteIdent(part.columns[c]!.column));
  const text = `INSERT INTO ${quoteQualified(part.schema, part.table)} AS t (created_time, ${columns.join(', ')})
SELECT * FROM unnest(${p.using.join(', ')})
ON CONFLICT (created_time) DO NOTHING`;
  return { text, values: p.values };
}

/**
 * One set-based MERGE of BACKFILL cells into one part table: a cell is written only where it is NULL and has
 * no `_overflow` entry (the live-wins rule; tombstoned cells were dropped by the planner), a missing row is
 * inserted. Rows where no cell would change are left alone, so re-running a backfill over filled tables
 * writes nothing (no dead tuples, no WAL).
 */
export function fillMergeStatement(part: FillPart, p = fillParameters(part)): Statement {
  const names = ['created_time'];
  const fillable: string[] = [];
  const sets: string[] = [];
  p.order.forEach((k, i) => {
    const col = part.columns[k]!;
    names.push(`v${i}`);
    const c = quoteIdent(col.column);
    const when = `t.${c} IS NULL AND s.v${i} IS NOT NULL AND NOT COALESCE(t._overflow ? ${quoteLiteral(col.channel)}, false)`;
    fillable.push(`(${when})`);
    sets.push(`${c} = CASE WHEN ${when} THEN s.v${i} ELSE t.${c} END`);
  });
  const columns = p.order.map((c) => part.columns[c]!);
  const text = `MERGE INTO ${quoteQualified(part.schema, part.table)} AS t
USING unnest(${p.using.join(', ')}) AS s(${names.join(', ')})
ON t.created_time = s.created_time
WHEN MATCHED AND (${fillable.join(' OR ')}) THEN UPDATE SET ${sets.join(',\n  ')}
WHEN NOT MATCHED THEN
  INSERT (created_time, ${columns.map((c) => quoteIdent(c.column)).join(', ')})
  VALUES (s.created_time, ${columns.map((_, i) => `s.v${i}`).join(', ')})`;
  return { text, values: p.values };
}
