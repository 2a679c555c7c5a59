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

/** Decimal ops on one time of one ship, for tests that follow a few cells through the rules. */
export function opsAt(ship: string, timeUs: bigint) {
  const valued = (op: 'INSERT' | 'UPDATE' | 'BACKFILL') => (channel: string, value: number): NarrowOp => ({ op, ship, channel, timeUs, format: 'Decimal', value });
  return { ins: valued('INSERT'), upd: valued('UPDATE'), backfill: valued('BACKFILL'), del: (channel: string): NarrowOp => ({ op: 'DELETE', ship, channel, timeUs }) };
}

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

// A deterministic random walk over inserts, updates, deletes and late rows, with format changes.
export function workload(seed: number, ships: string[], channels: number, steps: number): NarrowOp[][] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const t0 = 1_700_000_000_000_000n;
  const formats: Fmt[] = ['Decimal', 'Integer', 'String', 'Boolean'];
  const chFormat = new Map<string, Fmt>();
  const value = (f: Fmt): Val => {
    if (rnd() < 0.05) return null;
    if (f === 'Decimal') return pick([0.1, -2.5, 1e20, 3, Math.round(rnd() * 1e6) / 1e3, NaN]);
    if (f === 'Integer') return pick([1, -7, 2n ** 53n + 1n, 9223372036854775807n, Math.floor(rnd() * 1e9)]);
    if (f === 'String') return pick(['a', "it's", 'line\nbreak', '', 'x'.repeat(300), '船']);
    return rnd() < 0.5;
  };
  const live = new Set<string>();
  const txs: NarrowOp[][] = [];
  for (let i = 0; i < steps; i++) {
    const ship = pick(ships);
    const tx: NarrowOp[] = [];
    for (let j = 0; j < 1 + Math.floor(rnd() * 8); j++) {
      const channel = `/dnv-v2/vis-3-4a/ch${Math.floor(rnd() * channels)}`;
      const late = rnd() < 0.15;
      const timeUs = t0 + BigInt(late ? Math.floor(rnd() * 5) : 5 + Math.floor(i / 4)) * 15_000_000n;
      const key = `${ship}|${channel}|${timeUs}`;
      const roll = rnd();
      if (roll < 0.15 && live.has(key)) {
        tx.push({ op: 'DELETE', ship, channel, timeUs });
        live.delete(key);
        continue;
      }
      // Occasionally a channel changes format (Integer today, Decimal tomorrow, String later).
      if (!chFormat.has(channel) || rnd() < 0.05) chFormat.set(channel, pick(formats));
      const format = chFormat.get(channel)!;
      tx.push({ op: live.has(key) ? 'UPDATE' : 'INSERT', ship, channel, timeUs, format, value: value(format) });
      live.add(key);
    }
    txs.push(tx);
  }
  return txs;
}
