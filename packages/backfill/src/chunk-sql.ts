import { quoteIdent, quoteLiteral, quoteQualified, quoteTextArray } from '@fleetpivot/pgkit';
import { NARROW_SELECT, type SourceTable } from '@fleetpivot/events';
import { GROUPED_ARRAYS, GROUPED_STRING_MAX_BYTES } from './channel-groups.ts';
import type { ChunkSpec } from './plan.ts';
import { timestampLiteralText } from './time.ts';

/** `created_time >= a AND created_time < b` for a scope or chunk, literals quoted (COPY takes no bind parameters). */
export function timeRangeSql(fromUs: bigint | null, toUs: bigint | null): string[] {
  const parts: string[] = [];
  if (fromUs !== null) parts.push(`created_time >= ${quoteLiteral(timestampLiteralText(fromUs))}::timestamptz`);
  if (toUs !== null) parts.push(`created_time < ${quoteLiteral(timestampLiteralText(toUs))}::timestamptz`);
  return parts;
}

export function shipSql(shipId: string | null): string {
  return shipId === null ? 'ship_id IS NULL' : `ship_id = ${quoteLiteral(shipId)}`;
}

/** The WHERE clause of one chunk; ship ids are data, so they travel as quoted literals, never raw. */
export function chunkWhereSql(chunk: Pick<ChunkSpec, 'shipId' | 'fromUs' | 'toUs' | 'nullTime'>): string {
  const parts = [shipSql(chunk.shipId)];
  if (chunk.nullTime) parts.push('created_time IS NULL');
  else if (chunk.fromUs === null && chunk.toUs === null) parts.push('created_time IS NOT NULL'); // NULL times have their own chunk
  else parts.push(...timeRangeSql(chunk.fromUs, chunk.toUs));
  return parts.join(' AND ');
}

/**
 * How a chunk is read. `scan`: one WHERE on ship and time. `channel-walk`: for a table with a btree index on
 * (ship_id, data_channel_id, created_time, ...) — the seed's primary key — a chunk bounded in time names the
 * ship's channels (`data_channel_id = ANY(...)`), so the index gives one tight range per channel and a bitmap
 * reads the heap once in physical order. PostgreSQL 15 has no skip scan: with `scan`, the time condition on the
 * index's third column does not narrow the index scan, so every chunk read the whole ship's index (measured on
 * a 10M-row table: 0.70 s for a 288k-row chunk, 0.11 s with the channels named) and a ship cut into k chunks
 * was read k times.
 */
export type ChunkAccess = 'scan' | 'channel-walk';

/**
 * The distinct non-NULL values of `column` (within `where`, when given) by repeated index descents: the next value
 * is the smallest above the previous one, ~one index probe per value instead of reading the rows. Returned as
 * `alias`. Needs a btree index leading with the `where` columns then `column`.
 */
export function skipScanSql(table: SourceTable, column: string, alias: string, where?: string): string {
  const from = quoteQualified(table.schema, table.table);
  const within = where ? `${where} AND ` : '';
  return `WITH RECURSIVE fp_walk(${alias}) AS (
  SELECT min(${column}) FROM ${from}${where ? ` WHERE ${where}` : ''}
  UNION ALL
  SELECT (SELECT min(${column}) FROM ${from} WHERE ${within}${column} > w.${alias}) FROM fp_walk w WHERE w.${alias} IS NOT NULL
)
SELECT ${alias} FROM fp_walk WHERE ${alias} IS NOT NULL`;
}

/** The ship's distinct channels through the (ship, channel, time) index (skipScanSql). Only for `channel-walk` tables. */
export function shipChannelsSql(table: SourceTable, shipId: string): string {
  return skipScanSql(table, 'data_channel_id', 'fp_channel', `ship_id = ${quoteLiteral(shipId)}`);
}

/**
 * Binary COPY of one chunk: exact values, no text escaping to undo. With `channels` (the ship's channels, for a
 * `channel-walk` table and a chunk bounded in time) the rows are found per channel through the index; rows with
 * a NULL channel (irregular, sent as read) through the same index.
 */
export function chunkCopySql(table: SourceTable, chunk: Pick<ChunkSpec, 'shipId' | 'fromUs' | 'toUs' | 'nullTime'>, channels?: readonly string[]): string {
  const columns = NARROW_SELECT.map(([c, t]) => `${quoteIdent(c)}::${t}`).join(', ');
  return `COPY (${chunkRowsSql(table, chunk, columns, channels)}) TO STDOUT (FORMAT binary)`;
}

/** The chunk's rows (`columns` of them), through the index per channel when `channels` are given (chunkCopySql). */
function chunkRowsSql(table: SourceTable, chunk: Pick<ChunkSpec, 'shipId' | 'fromUs' | 'toUs' | 'nullTime'>, columns: string, channels?: readonly string[]): string {
  const from = quoteQualified(table.schema, table.table);
  if (channels && usesChannelWalk(chunk)) {
    const where = `${shipSql(chunk.shipId)} AND ${chunk.nullTime ? 'created_time IS NULL' : timeRangeSql(chunk.fromUs, chunk.toUs).join(' AND ')}`;
    // A scalar subquery: the planner sees a parameter, not 5,000 constants it would estimate one by one (~47 ms of
    // planning per chunk, measured), and still descends the index once per channel.
    const list = `(SELECT ${quoteTextArray(channels)})::text[]`;
    return `SELECT ${columns} FROM ${from} WHERE ${where} AND data_channel_id = ANY (${list})
UNION ALL SELECT ${columns} FROM ${from} WHERE ${where} AND data_channel_id IS NULL`;
  }
  return `SELECT ${columns} FROM ${from} WHERE ${chunkWhereSql(chunk)}`;
}

/**
 * Binary COPY of one chunk grouped by (channel, value_format), each group's columns as arrays in one order
 * (channel-groups.ts). A string over GROUPED_STRING_MAX_BYTES is grouped by its time too, so a group never
 * gathers many long strings: PostgreSQL holds a chunk's groups until the scan ends (~50 bytes a row besides
 * strings: ~5 MB for the default 100,000-row chunk). Not for the NULL-time chunk (its rows are all irregular).
 */
export function chunkGroupedCopySql(table: SourceTable, chunk: Pick<ChunkSpec, 'shipId' | 'fromUs' | 'toUs' | 'nullTime'>, channels?: readonly string[]): string {
  const rows = chunkRowsSql(table, chunk, NARROW_SELECT.slice(1).map(([c]) => quoteIdent(c)).join(', '), channels);
  const arrays = GROUPED_ARRAYS.map(([c, t]) => `array_agg(${quoteIdent(c)}::${t})`).join(', ');
  const key = `data_channel_id::text, value_format::text`;
  return `COPY (SELECT ${key}, ${arrays} FROM (${rows}) fp_rows
GROUP BY ${key}, CASE WHEN octet_length(str_v::text) > ${GROUPED_STRING_MAX_BYTES} THEN created_time END) TO STDOUT (FORMAT binary)`;
}

/**
 * A chunk of one ship bounded in time, or of its NULL created_time rows: the cases where naming channels narrows
 * the index scan (a NULL time sorts last within each channel, so it too is one descent per channel; a sampled
 * plan gives every ship that chunk, mostly empty, and without the channels it read the ship's whole index).
 */
export function usesChannelWalk(chunk: Pick<ChunkSpec, 'shipId' | 'fromUs' | 'toUs' | 'nullTime'>): chunk is Pick<ChunkSpec, 'fromUs' | 'toUs' | 'nullTime'> & { shipId: string } {
  return chunk.shipId !== null && (chunk.nullTime || chunk.fromUs !== null || chunk.toUs !== null);
}
