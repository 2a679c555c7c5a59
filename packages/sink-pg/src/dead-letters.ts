import type pg from 'pg';
import type { Parked } from '@fleetpivot/pivot';

/** JSON for a change: bigint fields (long_v, µs beyond 2^53) as decimal strings; NUL (which jsonb rejects) spelled out. */
export function changeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v.replaceAll('\u0000', '\\u0000') : v));
}

/** Records parked changes in fleetpivot.dead_letters, in the apply transaction (so a replay does not double them). */
export async function insertDeadLetters(c: pg.ClientBase, group: string, parked: readonly Parked[]): Promise<void> {
  if (parked.length === 0) return;
  await c.query(
    `INSERT INTO fleetpivot.dead_letters (consumer_group, topic, kafka_partition, kafka_offset, change_index, ship_id, source_lsn, reason, detail, change)
     SELECT $1, u.topic, u.part, u.off, u.idx, u.ship, u.lsn, u.reason, u.detail, u.change
     FROM unnest($2::text[], $3::int[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])
       AS u(topic, part, off, idx, ship, lsn, reason, detail, change)`,
    [
      group,
      parked.map((p) => p.position.topic),
      parked.map((p) => p.position.partition),
      parked.map((p) => p.position.offset),
      parked.map((p) => p.changeIndex),
      parked.map((p) => stripNul(p.shipId)),
      parked.map((p) => p.sourceLsn),
      parked.map((p) => p.reason),
      parked.map((p) => stripNul(p.detail)),
      parked.map((p) => (p.change ? changeJson(p.change) : null)),
    ],
  );
}

// text columns cannot hold NUL; the jsonb copy keeps it escaped.
const stripNul = (s: string | null): string | null => (s === null ? null : s.replaceAll('\u0000', '\\u0000'));
