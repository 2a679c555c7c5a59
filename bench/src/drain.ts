// "Done" for the pipeline = the pivot group's committed offset reached the log end of every partition
// with data (the pivot commits only after the database transaction that applied the messages).
import type { Pool } from '@fleetpivot/pgkit';
import type { Admin } from '@fleetpivot/transport-kafka';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Messages the group still has to apply: log end minus the further of the Kafka commit and the offset the
 * pivot recorded as applied in the target database (its exactly-once record). The database record counts
 * because after a rebalance a replica that finds nothing past its applied offset has nothing to fetch,
 * so the Kafka commit can stay behind although every message was applied.
 */
export async function groupBacklog(admin: Admin, groupId: string, topic: string, target?: Pool): Promise<number> {
  const lags = await admin.groupLag(groupId, topic);
  const ends = await admin.logEndOffsets(topic);
  const done = new Map(lags.map((l) => [l.partition, Number(l.committed ?? 0)]));
  if (target) {
    const applied = await target
      .query<{ p: number; o: string }>('SELECT kafka_partition AS p, applied_offset AS o FROM fleetpivot.applied_offsets WHERE consumer_group = $1 AND topic = $2', [groupId, topic])
      .catch(() => ({ rows: [] as { p: number; o: string }[] }));
    for (const r of applied.rows) done.set(r.p, Math.max(done.get(r.p) ?? 0, Number(r.o) + 1));
  }
  let backlog = 0;
  for (const [p, end] of ends) backlog += Math.max(0, Number(end) - (done.get(p) ?? 0));
  return backlog;
}

export async function waitDrained(admin: Admin, groupId: string, topic: string, o: { timeoutMs: number; pollMs?: number; target?: Pool; alive?: () => void }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    o.alive?.();
    if ((await groupBacklog(admin, groupId, topic, o.target)) === 0) return;
    if (Date.now() > deadline) throw new Error(`pivot group ${groupId} still lagging after ${o.timeoutMs / 1000} s`);
    await sleep(o.pollMs ?? 100);
  }
}
