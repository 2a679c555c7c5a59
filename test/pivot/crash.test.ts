import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { changeTopic, deadLetterTopic } from '@fleetpivot/events';
import { testTransport, uniqueName } from '@fleetpivot/testing';
import { WideSink } from '@fleetpivot/sink-pg';
import { applyNarrow, batchOf, workload } from './narrow-model.ts';
import { encode, expectExact, pivotEnv, produce, waitApplied, type PivotEnv } from './harness.ts';

const stack = inject('stack');
let env: PivotEnv | undefined;
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await env?.close();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pivot replicas under kill -9 and rescaling', () => {
  it('stays exact through 10 kills mid-load and 1 → 3 → 1 replicas', async () => {
    env = await pivotEnv(stack, 'crash', 3);
    const e = env;
    // The service's own topic names: <prefix>.tenant.tbl_data_timeseries and its .dlq.
    const prefix = uniqueName('crash');
    const admin = await testTransport(stack).admin();
    await admin.ensureTopic({ topic: changeTopic(prefix), partitions: 3 });
    await admin.ensureTopic({ topic: deadLetterTopic(prefix), partitions: 1 });
    e.topic = { topic: changeTopic(prefix), delete: () => admin.deleteTopics([changeTopic(prefix), deadLetterTopic(prefix)]).finally(() => admin.close()) };

    const start = (): ChildProcess => {
      const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', 'services/pivot/src/main.ts'], {
        env: {
          ...process.env,
          FLEETPIVOT_TARGET_URL: e.db.url,
          KAFKA_BROKERS: stack.kafkaBrokers.join(','),
          FLEETPIVOT_TOPIC_PREFIX: prefix,
          PIVOT_GROUP_ID: e.groupId,
          PIVOT_HTTP_PORT: '0',
          PIVOT_SESSION_TIMEOUT_MS: '6000',
          // Small fetches: many small batches, so the kills land between more applies and commits.
          PIVOT_FETCH_MAX_BYTES: '65536',
          PIVOT_FETCH_PARTITION_MAX_BYTES: '32768',
          LOG_LEVEL: 'error',
        },
        stdio: 'ignore',
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    };
    const stop = async (child: ChildProcess, signal: NodeJS.Signals) => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    };

    await new WideSink({ pool: e.db.pool }).migrate();
    const txs = workload(3, ['IMO1', 'IMO2', 'IMO3', 'IMO4', 'IMO5', 'IMO6'], 40, 3_000);
    for (const tx of txs) await applyNarrow(e.db.pool, tx);
    const messages = txs.map((tx) => encode(e, batchOf(tx[0]!.ship, tx)));
    const chunks = 20;
    const per = Math.ceil(messages.length / chunks);

    const appliedSum = async () => {
      const r = await e.db.pool.query<{ s: string | null }>('SELECT sum(applied_offset)::text AS s FROM fleetpivot.applied_offsets WHERE consumer_group = $1', [e.groupId]);
      return Number(r.rows[0]?.s ?? -3);
    };
    let current = start();
    let killsWhileApplying = 0;
    for (let i = 0; i < chunks; i++) {
      await produce(e, messages.slice(i * per, (i + 1) * per));
      if (i < 10) {
        // Kill only once this replica is visibly applying, at a random moment inside its work.
        const before = await appliedSum();
        for (let w = 0; w < 200 && (await appliedSum()) === before; w++) await sleep(100);
        await sleep(Math.random() * 150);
        if ((await appliedSum()) > before) killsWhileApplying++;
        await stop(current, 'SIGKILL');
        current = start();
      }
    }
    expect(killsWhileApplying).toBe(10);
    // Scale out to three replicas (rebalance), then back to one (rebalance again).
    const more = [start(), start()];
    await sleep(8_000);
    for (const c of more) await stop(c, 'SIGTERM');
    await waitApplied(e, 120_000);
    await stop(current, 'SIGTERM');
    const results = await expectExact(e);
    expect(results.length).toBe(6);
    expect(results.reduce((n, r) => n + r.expectedCells, 0)).toBeGreaterThan(1_000);
  }, 300_000);
});
