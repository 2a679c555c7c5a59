import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { captureEnv, changeCount, httpPort, probe, readTopic, sleep, spawnCapture, type CaptureProcess } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
const procs: CaptureProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase(stack, 'standby');
  await createNarrowTable(db.pool, { primaryKey: true });
});
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await db?.drop();
});

async function insert(from: number, count: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO tenant.tbl_data_timeseries SELECT 'IMO' || (i % 5), '/c/' || i, timestamptz '2024-01-01' + i * interval '1 second', 'Integer', NULL, i, NULL, NULL
       FROM generate_series($1::int, $2::int) AS i`,
    [from, from + count - 1],
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error('condition not met in time');
}

describe('one active reader with a hot standby', () => {
  it('the standby waits (readyz 503), takes over when the active one is killed, and SIGTERM stops it cleanly', async () => {
    const env = captureEnv(stack, db.url);
    const a = spawnCapture(env, 'a');
    procs.push(a);
    await a.waitForLog('capture active');
    const b = spawnCapture(env, 'b');
    procs.push(b);
    await b.waitForLog('another capture is active; waiting as standby');
    const portA = httpPort(a);
    const portB = httpPort(b);
    expect(await probe(portA, '/readyz')).toMatchObject({ status: 200, body: { ok: true, detail: { state: 'active' } } });
    expect(await probe(portB, '/readyz')).toMatchObject({ status: 503, body: { ok: false, detail: { state: 'standby' } } });
    expect((await probe(portB, '/healthz')).status).toBe(200);

    await insert(1, 500);
    a.child.kill('SIGKILL');
    await a.exited;
    await b.waitForLog('capture active', 60_000);
    await waitFor(async () => (await probe(portB, '/readyz')).status === 200);
    await insert(501, 500);

    const topic = `${env.FLEETPIVOT_TOPIC_PREFIX}.tenant.tbl_data_timeseries`;
    const all = await readTopic(stack, topic, (x) => new Set(x.flatMap((r) => r.batch.changes.map((c) => c.data_channel_id))).size >= 1000);
    const channels = new Set(all.flatMap((r) => r.batch.changes.map((c) => c.data_channel_id)));
    expect(channels.size).toBe(1000);
    expect(changeCount(all)).toBeGreaterThanOrEqual(1000);

    // Graceful stop: in-flight sends finish, the position is confirmed, exit code 0.
    const { rows: [end] } = await db.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor(async () => {
      const r = await db.pool.query<{ ok: boolean }>('SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $2', [end!.lsn, env.FLEETPIVOT_SLOT_NAME]);
      return r.rows[0]?.ok === true;
    });
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(b.log()).toContain('"msg":"capture stopped"');
    const slot = await db.pool.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [env.FLEETPIVOT_SLOT_NAME]);
    expect(slot.rows[0]?.active).toBe(false);
  }, 180_000);
});
