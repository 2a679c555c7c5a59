import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { CAPTURE_NODE_OPTIONS, captureEnv, foldTopic, peakRssBytes, sleep, spawnCapture, type CaptureProcess } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
let proc: CaptureProcess | undefined;
const ROWS = 1_000_000;

beforeAll(async () => {
  db = await createTestDatabase(stack, 'bigtx');
  await createNarrowTable(db.pool, { primaryKey: false, replicaIdentityFull: true });
});
afterAll(async () => {
  if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
  await db?.drop();
});

describe('a one-million-row transaction', () => {
  it('flows through with the capture process under 300 MB RSS, every row once', async () => {
    // The V8 heap settings services/capture/README.md prescribes (what the container sets): without them
    // V8 lets garbage grow the heap lazily and peak RSS lands around 400 MB on this workload.
    const env = captureEnv(stack, db.url, { CAPTURE_TOPIC_PARTITIONS: '6', NODE_OPTIONS: CAPTURE_NODE_OPTIONS });
    proc = spawnCapture(env, 'bigtx');
    await proc.waitForLog('capture active');
    const started = Date.now();
    await db.pool.query(
      `INSERT INTO tenant.tbl_data_timeseries
       SELECT 'IMO' || (9000000 + i % 50), '/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature/cnt-exhaust.gas/pos-inlet/' || (i % 400),
              timestamptz '2024-01-01' + i * interval '15 seconds', 'Integer', NULL, i, NULL, NULL
         FROM generate_series(1, ${ROWS}) AS i`,
    );
    const inserted = Date.now();
    const topic = `${env.FLEETPIVOT_TOPIC_PREFIX}.tenant.tbl_data_timeseries`;
    const acc = await foldTopic(stack, topic, { count: 0, sum: 0n, messages: 0, offsets: new Set<string>() }, (a, r) => {
      if (a.offsets.has(`${r.partition}:${r.offset}`)) return; // a consumer rebalance may re-deliver
      a.offsets.add(`${r.partition}:${r.offset}`);
      a.messages++;
      for (const c of r.batch.changes) {
        a.count++;
        a.sum += BigInt(c.long_v ?? 0);
      }
    }, (a) => a.count >= ROWS, 600_000);
    const delivered = Date.now();
    await sleep(500);
    const rss = peakRssBytes(proc.child.pid!);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    console.log(`1M-row transaction: insert ${inserted - started} ms, on Kafka ${delivered - inserted} ms after commit, ${acc.messages} messages, capture peak RSS ${(rss / 1048576).toFixed(1)} MB`);
    expect(acc.count).toBe(ROWS);
    expect(acc.sum).toBe(BigInt(ROWS) * BigInt(ROWS + 1) / 2n);
    expect(rss).toBeLessThan(300 * 1024 * 1024);
  }, 900_000);
});
