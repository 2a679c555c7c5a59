// "Done" for the pipeline = the pivot group's committed offset reached the log end of every partition
// with data (the pivot commits only after the database transaction that applied the messages).
import type { Admin } from '@fleetpivot/transport-kafka';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Total messages the group still has to apply. */
export async function groupBacklog(admin: Admin, groupId: string, topic: string): Promise<number> {
  const lags = await admin.groupLag(groupId, topic);
  const ends = await admin.logEndOffsets(topic);
  const committed = new Map(lags.map((l) => [l.partition, l.committed]));
  let backlog = 0;
  for (const [p, end] of ends) backlog += Number(end) - Number(committed.get(p) ?? 0);
  return backlog;
}

export async function waitDrained(admin: Admin, groupId: string, topic: string, o: { timeoutMs: number; pollMs?: number; alive?: () => void }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    o.alive?.();
    if ((await groupBacklog(admin, groupId, topic)) === 0) return;
    if (Date.now() > deadline) throw new Error(`pivot group ${groupId} still lagging after ${o.timeoutMs / 1000} s`);
    await sleep(o.pollMs ?? 100);
  }
}
