import type pg from 'pg';
import type { Change, ChangeBatch, Long } from '@fleetpivot/events';
import { usToTimestamp } from '@fleetpivot/sink-pg';

export type Fmt = 'Decimal' | 'Integer' | 'String' | 'Boolean';
export type Val = number | bigint | string | boolean | null;

/** One narrow-table change, applied both as SQL to the test's narrow table and as an event. */
export type NarrowOp =
  | { op: 'INSERT' | 'UPDATE' | 'BACKFILL'; ship: string; channel: string; timeUs: bigint; format: Fmt | string; value: Val }
  | { op: 'DELETE'; ship: string; channel: string; timeUs: bigint };

export const NARROW = { schema: 'tenant', table: 'tbl_data_timeseries' };

export function changeOf(o: NarrowOp): Change {
  const base = { data_channel_id: o.channel, created_time_us: o.timeUs as Long, double_v: null, long_v: null, str_v: null, bool_v: null };
  if (o.op === 'DELETE') return { op: 'DELETE', ...base, value_format: null, old: { ship_id: o.ship, data_channel_id: o.channel, created_time_us: o.timeUs } };
  const v = o.value;
  return {
    op: o.op,
    ...base,
    value_format: o.format,
    double_v: o.format === 'Decimal' ? (v as number | null) : null,
    long_v: o.format === 'Integer' ? (v as Long | null) : null,
    str_v: o.format === 'String' ? (v as string | null) : null,
    bool_v: o.format === 'Boolean' ? (v as boolean | null) : null,
    old: null,
  };
}

export function batchOf(ship: string, ops: readonly NarrowOp[], kind: 'LIVE' | 'BACKFILL' = 'LIVE'): ChangeBatch {
  return { ship_id: ship, source: { kind, lsn: '0/1', commit_time_us: BigInt(Date.now()) * 1000n, xid: 1, job_id: null, chunk_id: null }, changes: ops.map(changeOf) };
}

/** Applies ops to the narrow table (with a primary key) as the writers would have. */
export async function applyNarrow(db: pg.Pool | pg.ClientBase, ops: readonly NarrowOp[]): Promise<void> {
  for (const o of ops) {
    const key = [o.ship, o.channel, usToTimestamp(o.timeUs)];
    if (o.op === 'DELETE') {
      await db.query('DELETE FROM tenant.tbl_data_timeseries WHERE ship_id = $1 AND data_channel_id = $2 AND created_time = $3', key);
      continue;
    }
    const c = changeOf(o);
    const vals = [o.format, c.double_v, c.long_v === null ? null : c.long_v.toString(), c.str_v, c.bool_v];
    if (o.op === 'BACKFILL') {
      await db.query(
        `INSERT INTO tenant.tbl_data_timeseries VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [...key, ...vals],
      );
      continue;
    }
    await db.query(
      `INSERT INTO tenant.tbl_data_timeseries VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (ship_id, data_channel_id, created_time) DO UPDATE SET value_format = EXCLUDED.value_format,
       double_v = EXCLUDED.double_v, long_v = EXCLUDED.long_v, str_v = EXCLUDED.str_v, bool_v = EXCLUDED.bool_v`,
      [...key, ...vals],
    );
  }
}
