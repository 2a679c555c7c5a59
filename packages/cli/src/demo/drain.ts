import type pg from 'pg';
import type { Admin } from '@fleetpivot/transport-kafka';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * After the writers stop: waits until the capture confirmed a WAL position past everything written
 * (its idle heartbeat moves the slot past the last commit), then until the pivot group has no lag.
 */
export async function drain(source: pg.Pool, admin: Admin, o: { slot: string; groupId: string; topic: string; timeoutMs: number }): Promise<{ seconds: number }> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const { rows } = await source.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const target = rows[0]!.lsn;
  for (;;) {
    const r = await source.query<{ done: boolean }>(
      'SELECT confirmed_flush_lsn >= $2::pg_lsn AS done FROM pg_replication_slots WHERE slot_name = $1',
      [o.slot, target],
    );
    if (r.rows[0]?.done) break;
    if (Date.now() > deadline) throw new Error(`capture did not confirm ${target} within ${o.timeoutMs} ms`);
    await sleep(250);
  }
  let zeroSince = 0;
  for (;;) {
    const lags = await admin.groupLag(o.groupId, o.topic);
    const ends = await admin.logEndOffsets(o.topic);
    const committed = new Map(lags.map((l) => [l.partition, l.committed]));
    // Every partition with data must have a committed offset at its end.
    const behind = [...ends].some(([p, end]) => end !== '0' && committed.get(p) !== end);
    if (!behind) {
      zeroSince ||= Date.now();
      if (Date.now() - zeroSince >= 500) break;
    } else zeroSince = 0;
    if (Date.now() > deadline) throw new Error(`pivot consumers still lagging after ${o.timeoutMs} ms`);
    await sleep(250);
  }
  return { seconds: (Date.now() - started) / 1000 };
}
