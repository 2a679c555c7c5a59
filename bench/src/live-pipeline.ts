// The live pipeline as production runs it: the capture and N pivot replicas as child processes on a
// fresh database with the narrow table, each run with its own slot, topic prefix and consumer group.
import { changeTopic } from '@fleetpivot/events';
import { createNarrowTable } from '@fleetpivot/simulator';
import type { StackInfo } from '@fleetpivot/stack';
import { silentLogger } from '@fleetpivot/telemetry';
import { createTestDatabase, uniqueName, type TestDatabase } from '@fleetpivot/testing';
import { createKafkajsTransport, type Admin } from '@fleetpivot/transport-kafka';
import { pivotEnv, sharedEnv, TOPIC_PARTITIONS } from './fleetpivot-backfill.ts';
import { freePort, startService, waitReady, type Service } from './services.ts';

export interface LivePipeline {
  db: TestDatabase;
  admin: Admin;
  topic: string;
  groupId: string;
  capture: Service;
  pivots: Service[];
  /** Stops the services (keeps the database); returns their peak RSS in MiB. */
  stopServices(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startLivePipeline(stack: StackInfo, o: { replicas?: number; label: string; nodeFlags?: string[] }): Promise<LivePipeline> {
  const db = await createTestDatabase(stack, o.label);
  await createNarrowTable(db.pool, { primaryKey: true });
  const transport = createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId: 'fleetpivot-bench', logger: silentLogger() });
  const admin = await transport.admin();
  const prefix = uniqueName('bench_live');
  const slot = uniqueName('bench_slot');
  const groupId = uniqueName('bench_pivot');
  const t0 = process.hrtime.bigint();
  const flags = o.nodeFlags ? { nodeFlags: o.nodeFlags } : {};
  const services: Service[] = [];
  const stopServices = async (): Promise<Record<string, number>> => {
    const peaks: Record<string, number> = {};
    for (const s of [...services].reverse()) {
      await s.stop().catch(() => undefined);
      peaks[s.name] = Math.max(peaks[s.name] ?? 0, Math.round(s.memory.peakMiB));
    }
    return peaks;
  };
  try {
    const capturePort = await freePort();
    const capture = startService('capture', {
      t0,
      ...flags,
      env: {
        FLEETPIVOT_SOURCE_URL: db.url,
        KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        ...sharedEnv(prefix, slot),
        CAPTURE_PUBLICATION_NAME: slot,
        CAPTURE_TOPIC_PARTITIONS: String(TOPIC_PARTITIONS),
        CAPTURE_HEARTBEAT_INTERVAL_MS: '1000',
        CAPTURE_STATUS_INTERVAL_MS: '500',
        CAPTURE_HTTP_PORT: String(capturePort),
        LOG_LEVEL: 'warn',
      },
    });
    services.push(capture);
    await waitReady(capture);
    const pivots: Service[] = [];
    for (let i = 0; i < (o.replicas ?? 1); i++) {
      const pivot = startService('pivot', { t0, ...flags, env: pivotEnv(stack, { dbUrl: db.url, prefix, groupId, port: await freePort() }) });
      services.push(pivot);
      pivots.push(pivot);
    }
    for (const p of pivots) await waitReady(p);
    return {
      db,
      admin,
      topic: changeTopic(prefix),
      groupId,
      capture,
      pivots,
      stopServices,
      async close() {
        await stopServices();
        await admin.deleteTopics([changeTopic(prefix)]).catch(() => undefined);
        await admin.close();
        await db.drop();
      },
    };
  } catch (err) {
    await stopServices();
    await admin.close();
    await db.drop();
    throw err;
  }
}
