import { quoteIdent, quoteQualified } from '@fleetpivot/pgkit';
import { addColumnParams, canonicalOrder, newRowOverflowSql, overflowParams, type Statement } from './merge-sql.ts';
import { usToTimestamp, type PartPlan, type PartRow } from './plan.ts';

/**
 * The fast path of a cell-op batch: wide rows the part table does not hold yet are inserted as the MERGE's
 * NOT MATCHED branch would insert them (only rows that get a value; their set and fill values, their overflow
 * entries), and the statement returns the 1-based positions of the rows it did not insert, which are left to
 * the MERGE. Why: telemetry is appended — a commit mostly brings new times — and this INSERT has no per-column
 * CASE trees: PostgreSQL parses it several times faster and keeps a fraction of the MERGE's memory per prepared
 * statement (the MERGE of a 200-column part is ~80 kB of SQL and ~5.8 MiB once prepared), so the prepared-text
 * budget holds a statement per ship of a live fleet and the MERGE runs only for updates, deletes and late rows.
 */
export function insertNewRowsStatement(part: PartPlan): Statement {
  const rows = [...part.rows];
  const order = canonicalOrder(part.columns);
  const ov = part.overflowWrites;
  const values: unknown[] = [rows.map(([t]) => usToTimestamp(t)), rows.map(([, r]) => r.inserts)];
  if (ov) values.push(...overflowParams(rows));
  const using = ['$1::timestamptz[]', '$2::bool[]', ...(ov ? ['$3::jsonb[]', '$4::jsonb[]'] : [])];
  const names = ['created_time', 'ins', ...(ov ? ['oset', 'ofill'] : [])];
  addColumnParams(part, rows, order, { values, using, names });
  const columns = order.map((k) => quoteIdent(part.columns[k]!.column));
  const overflow = newRowOverflowSql(ov);
  const text = `WITH s AS (SELECT * FROM unnest(${using.join(', ')}) WITH ORDINALITY AS s(${names.join(', ')}, fp_n)),
fp_new AS (
  INSERT INTO ${quoteQualified(part.schema, part.table)} (created_time, ${columns.join(', ')}, _overflow)
  SELECT s.created_time, ${order.map((_, i) => `s.v${i}`).join(', ')}, ${overflow} FROM s WHERE s.ins
  ON CONFLICT (created_time) DO NOTHING
  RETURNING created_time)
SELECT s.fp_n AS n FROM s WHERE NOT EXISTS (SELECT 1 FROM fp_new WHERE fp_new.created_time = s.created_time)`;
  return { text, values };
}

/** The part with only the rows at the given 1-based positions (the rows insertNewRowsStatement left). */
export function partWithRows(part: PartPlan, positions: readonly number[]): PartPlan {
  const rows = [...part.rows];
  const kept = new Map<bigint, PartRow>();
  for (const n of positions) {
    const row = rows[n - 1];
    if (row) kept.set(row[0], row[1]);
  }
  return { ...part, rows: kept };
}
