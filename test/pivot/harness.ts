import { expect } from 'vitest';
import type { StackInfo } from '@fleetpivot/stack';
import { ChangeBatchCodec, SCHEMA_VERSION_HEADER, shipKey, type ChangeBatch } from '@fleetpivot/events';
import { createTestDatabase, createTestTopic, testTransport, uniqueName, type TestDatabase, type TestTopic } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { backfillMigrations } from '@fleetpivot/backfill';
import { runMigrations } from '@fleetpivot/pgkit';
import { readAppliedOffset, verifyAll, type VerifyResult } from '@fleetpivot/sink-pg';
import { startPivot, type PivotOptions, type RunningPivot } from '@fleetpivot/pivot-service';
import type { OutgoingMessage } from '@fleetpivot/transport-kafka';
import { NARROW } from './narrow-model.ts';

export interface PivotEnv {
  stack: StackInfo;
  db: TestDatabase;
  topic: TestTopic;
  dlq: TestTopic;
  groupId: string;
  codec: ChangeBatchCodec;
  close(): Promise<void>;
}

/** A database with the narrow table, a change topic and a dead-letter topic of the test's own. */
export async function pivotEnv(stack: StackInfo, label: string, partitions = 3): Promise<PivotEnv> {
  const db = await createTestDatabase(stack, label);
  await createNarrowTable(db.pool, { primaryKey: true });
  const topic = await createTestTopic(stack, { partitions, prefix: label });
  const dlq = await createTestTopic(stack, { partitions: 1, prefix: `${label}_dlq` });
  return {
    stack,
    db,
    topic,
    dlq,
    groupId: uniqueName(`g_${label}`),
    codec: new ChangeBatchCodec(),
    async close() {
      await topic.delete().catch(() => undefined);
      await dlq.delete().catch(() => undefined);
      await db.drop();
    },
  };
}

export function encode(env: PivotEnv, batch: ChangeBatch): OutgoingMessage {
  return { key: shipKey(batch.ship_id), value: env.codec.encode(batch), headers: { [SCHEMA_VERSION_HEADER]: String(env.codec.version) } };
}

export async function produce(env: PivotEnv, messages: readonly OutgoingMessage[]): Promise<void> {
  const producer = await testTransport(env.stack).producer();
  try {
    await producer.send(env.topic.topic, messages);
  } finally {
    await producer.close();
  }
}

export function runPivot(env: PivotEnv, extra: Partial<PivotOptions> = {}): Promise<RunningPivot> {
  return startPivot({
    transport: testTransport(env.stack, 'pivot-test'),
    pool: env.db.pool,
    topic: env.topic.topic,
    deadLetterTopic: env.dlq.topic,
    groupId: env.groupId,
    pausePollMs: 200,
    sessionTimeoutMs: 10_000,
    ...extra,
  });
}

/** Waits until the target database says every message of the topic is applied. */
export async function waitApplied(env: PivotEnv, timeoutMs = 90_000): Promise<void> {
  const admin = await testTransport(env.stack).admin();
  try {
    const ends = await admin.logEndOffsets(env.topic.topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let behind = 0;
      for (const [partition, end] of ends) {
        const applied = await readAppliedOffset(env.db.pool, { group: env.groupId, topic: env.topic.topic, partition });
        if (applied + 1n < BigInt(end)) behind++;
      }
      if (behind === 0) return;
      if (Date.now() > deadline) throw new Error(`${behind} partitions not applied after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.close();
  }
}

/** Every ship's wide tables equal the narrow table's pivot, cell for cell. */
export async function expectExact(env: PivotEnv): Promise<VerifyResult[]> {
  const results = await verifyAll(env.db.pool, NARROW);
  for (const r of results) expect({ ship: r.shipId, mismatches: r.mismatches, sample: r.sample }).toEqual({ ship: r.shipId, mismatches: 0, sample: [] });
  return results;
}

/**
 * After a pause: produces `probe` (changes that leave the ship as it is) until the pivot holds the ship's partition
 * back at it, so the pivot has seen the pause. Waiting a fixed time instead lets a slow poll through.
 */
export async function heldBack(env: PivotEnv, pivot: RunningPivot, probe: ChangeBatch): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (((await pivot.metrics.pausedPartitions.get()).values[0]?.value ?? 0) < 1) {
    if (Date.now() > deadline) throw new Error(`the pivot did not hold ship ${probe.ship_id} back within 30 s`);
    await produce(env, [encode(env, probe)]);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The backfill's job tables in the test database (what a backfill run creates before its first job). */
export async function createBackfillTables(env: PivotEnv): Promise<void> {
  const c = await env.db.pool.connect();
  await runMigrations(c, 'backfill', backfillMigrations).finally(() => c.release());
}

/** A backfill job row marked running, as a job in progress leaves it; returns its id. */
export async function runningJob(env: PivotEnv): Promise<string> {
  const { rows } = await env.db.pool.query<{ id: string }>(
    `INSERT INTO fleetpivot.backfill_jobs (source_table, scope, status, rows_total, chunks_total) VALUES ('tenant.tbl_data_timeseries', '{}', 'running', 1, 1) RETURNING id::text`,
  );
  return rows[0]!.id;
}
