import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent, quoteQualified } from '@fleetpivot/pgkit';
import { timestampArray, writeTimestampField } from './binary-array.ts';
import type { FillPart } from './fill-plan.ts';
import { fillInsertStatement, fillMergeStatement, fillParameters } from './fill-sql.ts';
import { canonicalOrder } from './merge-sql.ts';
import { queryPrepared } from './prepared.ts';

/**
 * Writes one part table's fills: rows the table does not hold yet by a binary COPY, the others by the fill MERGE
 * (the live-wins rule, fill-sql.ts). Why COPY: the INSERT … SELECT FROM unnest(one array per column) it replaces
 * cost PostgreSQL ~0.8 s per million cells at 100 channels (measured, 14 statements of ~700 rows), most of it the
 * per-column unnest (each a function scan of its own), against ~0.05 s for inserting the same rows from a
 * table; and at 5,000 channels each ~850-column statement also had to be parsed (~15-19 ms) and bound.
 *
 * Which rows are new is asked first (index probes on the primary key). A row inserted by someone else between
 * that question and the COPY makes the COPY fail with a unique violation, which rolls the whole apply back and
 * retries it (WideSink.apply): the retry then finds the row and merges into it. A part with a non-text column
 * whose values had to be converted to text (mixed value formats) is written as before, INSERT then MERGE.
 */
export async function writeFillPart(c: pg.ClientBase, part: FillPart, preparedBytes: number): Promise<void> {
  if (!part.values.every((v) => v.copyable)) return insertThenMerge(c, part, preparedBytes);
  const existing = await existingRows(c, part, preparedBytes);
  if (existing.size < part.times.length) {
    const order = canonicalOrder(part.columns);
    const copy = c.query(copyFrom(fillCopySql(part, order)));
    copy.end(fillCopyPayload(part, order, existing));
    await finished(copy);
  }
  // Over all rows, like after the INSERT: the rows just copied hold every value sent, so it leaves them alone.
  if (existing.size > 0) await queryPrepared(c, fillMergeStatement(part), preparedBytes);
}

async function insertThenMerge(c: pg.ClientBase, part: FillPart, preparedBytes: number): Promise<void> {
  const params = fillParameters(part);
  const inserted = await queryPrepared(c, fillInsertStatement(part, params), preparedBytes);
  // Rows that existed were skipped: the MERGE fills them (and leaves the rows just inserted as they are).
  if ((inserted.rowCount ?? 0) < part.times.length) await queryPrepared(c, fillMergeStatement(part, params), preparedBytes);
}

/** Indexes (into part.times) of the rows the part table already holds. */
async function existingRows(c: pg.ClientBase, part: FillPart, preparedBytes: number): Promise<Set<number>> {
  const text = `SELECT (u.i - 1)::int4 AS i FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, i)
WHERE EXISTS (SELECT 1 FROM ${quoteQualified(part.schema, part.table)} p WHERE p.created_time = u.t)`;
  const found = await queryPrepared(c, { text, values: [timestampArray(part.times)] }, preparedBytes);
  return new Set(found.rows.map((r: { i: number }) => r.i));
}

export function fillCopySql(part: FillPart, order: readonly number[]): string {
  const columns = order.map((k) => quoteIdent(part.columns[k]!.column));
  return `COPY ${quoteQualified(part.schema, part.table)} (created_time, ${columns.join(', ')}) FROM STDIN (FORMAT binary)`;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * The part's rows except `skip` in PostgreSQL's binary COPY format (fillCopySql's columns: the time, then the
 * columns in `order`): the signature, flags and extension length, then per row a field count and each field as
 * a length word (-1: NULL) and its bytes, then -1. The fields are the bytes the binary array parameters held.
 */
export function fillCopyPayload(part: FillPart, order: readonly number[], skip: ReadonlySet<number> = new Set()): Buffer {
  const fields = order.length + 1;
  let bytes = SIGNATURE.length + 8 + 2;
  for (let r = 0; r < part.times.length; r++) {
    if (skip.has(r)) continue;
    bytes += 2 + 12;
    for (const k of order) bytes += part.values[k]!.copyFieldBytes(r);
  }
  const buf = Buffer.allocUnsafe(bytes);
  let at = SIGNATURE.copy(buf, 0);
  at = buf.writeInt32BE(0, at); // flags: no OIDs
  at = buf.writeInt32BE(0, at); // header extension length
  for (let r = 0; r < part.times.length; r++) {
    if (skip.has(r)) continue;
    at = buf.writeInt16BE(fields, at);
    at = writeTimestampField(buf, at, part.times[r]!);
    for (const k of order) at = part.values[k]!.writeCopyField(r, buf, at);
  }
  buf.writeInt16BE(-1, at);
  return buf;
}
