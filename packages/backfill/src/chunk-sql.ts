import { quoteIdent, quoteLiteral, quoteQualified } from '@fleetpivot/pgkit';
import type { SourceTable } from '@fleetpivot/events';
import { NARROW_SELECT } from './narrow-row.ts';
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

/** Binary COPY of one chunk: exact values, no text escaping to undo. */
export function chunkCopySql(table: SourceTable, chunk: Pick<ChunkSpec, 'shipId' | 'fromUs' | 'toUs' | 'nullTime'>): string {
  const columns = NARROW_SELECT.map(([c, t]) => `${quoteIdent(c)}::${t}`).join(', ');
  return `COPY (SELECT ${columns} FROM ${quoteQualified(table.schema, table.table)} WHERE ${chunkWhereSql(chunk)}) TO STDOUT (FORMAT binary)`;
}
