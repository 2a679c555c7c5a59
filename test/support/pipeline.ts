import { deadLetterTopic } from '@fleetpivot/events';
import { startPivot, type RunningPivot } from '@fleetpivot/pivot-service';
import { appliedThrough } from '@fleetpivot/sink-pg';
import { parseLsn, startCapture, type CaptureHandle } from '@fleetpivot/source-pg';
import type { Pool } from '@fleetpivot/pgkit';
import type { StackInfo } from '@fleetpivot/stack';
import { createRegistry, silentLogger, type Logger } from '@fleetpivot/telemetry';
import { testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

/** Capture and one pivot consumer, in this process, on a test database and topics of their own. */
export interface Pipeline {
  prefix: string;
  groupId: string;
  capture: CaptureHandle;
  pivot: RunningPivot;
  /** Waits until the capture confirmed past everything written so far and the pivot applied it all. */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  partitionsConcurrently?: number;
  /** The capture's source URL (default the database's own; e.g. one asking for TLS). */
  sourceUrl?: string;
  /** The pivot's target pool (default the database's own). */
  targetPool?: Pool;
}

export async function startPipeline(stack: StackInfo, db: TestDatabase, label: string, logger: Logger = silentLogger(), options: PipelineOptions = {}): Promise<Pipeline> {
  const { sourceUrl = db.url, targetPool = db.pool, ...pivotOptions } = options;
  const prefix = uniqueName(label);
  const capture = await startCapture(
    { sourceUrl, slotName: prefix, publicationName: prefix, topicPrefix: prefix, topicPartitions: 4, heartbeatIntervalMs: 500, statusIntervalMs: 250 },
    { transport: testTransport(stack), logger, registry: createRegistry('capture') },
  );
  const dlq = deadLetterTopic(prefix);
  const groupId = uniqueName(`${label}_g`);
  const pivot = await startPivot({ transport: testTransport(stack, `${label}-pivot`), pool: targetPool, topic: capture.topic, deadLetterTopic: dlq, groupId, pausePollMs: 300, sessionTimeoutMs: 10_000, logger, ...pivotOptions });
  await until('capture active', 30_000, async () => capture.state() === 'active');
  let stopped = false;
  return {
    prefix,
    groupId,
    capture,
    pivot,
    async drain(timeoutMs = 120_000) {
      const end = parseLsn((await db.pool.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]!.lsn);
      await until('capture confirming past the writers', timeoutMs, async () => parseLsn(capture.confirmedLsn()) >= end);
      const admin = await testTransport(stack).admin();
      const ends = await admin.logEndOffsets(capture.topic).finally(() => admin.close());
      await until('pivot applying everything', timeoutMs, () => appliedThrough(targetPool, groupId, capture.topic, ends));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pivot.stop().catch(() => undefined);
      await capture.stop().catch(() => undefined);
      const admin = await testTransport(stack).admin();
      await admin.deleteTopics([capture.topic, dlq]).catch(() => undefined);
      await admin.close();
    },
  };
}
