// fleetpivot's backfill end to end: the backfill job and the pivot service as real processes, narrow →
// Kafka → wide, timed from the backfill's start until the pivot group has applied every message, then
// verified cell for cell (sink-pg's verifyAll, outside the timing). The replication slot the backfill
// insists on is created directly (no live writes run here, so the capture would have nothing to send).
import { changeTopic } from '@fleetpivot/events';
import type { Pool } from '@fleetpivot/pgkit';
import { verifyAll } from '@fleetpivot/sink-pg';
import type { StackInfo } from '@fleetpivot/stack';
import { silentLogger } from '@fleetpivot/telemetry';
import { uniqueName } from '@fleetpivot/testing';
import { createKafkajsTransport } from '@fleetpivot/transport-kafka';
import type { BackfillRunner } from './backfill.ts';
import { waitDrained } from './drain.ts';
import { dropSchema } from './wide-tables.ts';
import { seconds } from './harness.ts';
import { freePort, startService, waitReady, type Service } from './services.ts';

export const BENCH_SLOT = 'fleetpivot_bench';
export const WIDE_SCHEMA = 'fleetpivot_wide';
export const TOPIC_PARTITIONS = 6;

/** Between repeats: no catalog, no wide tables, no offsets, no jobs — the next repeat starts from nothing. */
export async function resetTarget(pool: Pool): Promise<void> {
  await dropSchema(pool, 'fleetpivot');
  await dropSchema(pool, WIDE_SCHEMA);
}

export async function ensureSlot(pool: Pool, slot: string): Promise<void> {
  const found = await pool.query<{ mine: boolean; active: boolean }>('SELECT database = current_database() AS mine, active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  const existing = found.rows[0];
  if (existing?.mine) return;
  // Left over by an interrupted run in another (kept) database: a backfill here would refuse it.
  if (existing && !existing.active) await pool.query('SELECT pg_drop_replication_slot($1)', [slot]);
  await pool.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
}

/** The settings every service shares (docs/configuration.md). */
export function sharedEnv(prefix: string, slot?: string): Record<string, string> {
  return { FLEETPIVOT_TOPIC_PREFIX: prefix, ...(slot ? { FLEETPIVOT_SLOT_NAME: slot } : {}) };
}

export interface PivotEnvOptions {
  dbUrl: string;
  prefix: string;
  groupId: string;
  port: number;
  partitionsConcurrently?: number;
}

export function pivotEnv(stack: StackInfo, o: PivotEnvOptions): Record<string, string> {
  return {
    FLEETPIVOT_TARGET_URL: o.dbUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    ...sharedEnv(o.prefix),
    PIVOT_GROUP_ID: o.groupId,
    PIVOT_SCHEMA: WIDE_SCHEMA,
    PIVOT_PARTITIONS_CONCURRENTLY: String(o.partitionsConcurrently ?? 2),
    PIVOT_HTTP_PORT: String(o.port),
    LOG_LEVEL: 'warn',
  };
}

export function fleetpivotBackfill(stack: StackInfo, o: { verify: (attempt: number) => boolean; nodeFlags?: string[] }): BackfillRunner {
  return async (pool, dbUrl, data, attempt) => {
    await resetTarget(pool);
    await ensureSlot(pool, BENCH_SLOT);
    const transport = createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId: 'fleetpivot-bench', logger: silentLogger() });
    const admin = await transport.admin();
    const prefix = uniqueName('bench_bf');
    const topic = changeTopic(prefix);
    const groupId = uniqueName('bench_pivot');
    const services: Service[] = [];
    try {
      await admin.ensureTopic({ topic, partitions: TOPIC_PARTITIONS, config: { 'max.message.bytes': String(16 * 1024 * 1024) } });
      const t0 = process.hrtime.bigint();
      const pivot = startService('pivot', { env: pivotEnv(stack, { dbUrl, prefix, groupId, port: await freePort() }), t0, ...(o.nodeFlags ? { nodeFlags: o.nodeFlags } : {}) });
      services.push(pivot);
      await waitReady(pivot);
      const start = process.hrtime.bigint();
      const backfill = startService('backfill', {
        t0,
        env: {
          FLEETPIVOT_SOURCE_URL: dbUrl,
          KAFKA_BROKERS: stack.kafkaBrokers.join(','),
          ...sharedEnv(prefix, BENCH_SLOT),
          BACKFILL_NEW_JOB: 'true',
          BACKFILL_PROGRESS: 'none',
          BACKFILL_HTTP_PORT: String(await freePort()),
          LOG_LEVEL: 'warn',
        },
        ...(o.nodeFlags ? { nodeFlags: o.nodeFlags } : {}),
      });
      services.push(backfill);
      const code = await backfill.exited;
      if (code !== 0) throw new Error(`backfill exited with code ${code}; see ${backfill.logFile}`);
      const backfillS = seconds(start);
      await waitDrained(admin, groupId, topic, {
        timeoutMs: 30 * 60_000,
        // The baselines' end is exact; a poll overstates this one's by up to its interval plus one poll. 25 ms,
        // not the default 100: on 1M rows a run is ~1.2 s on a quiet host, so 100 ms was a bias of ~4 %.
        pollMs: 25,
        target: pool,
        alive: () => {
          if (pivot.child.exitCode !== null) throw new Error(`pivot exited with code ${pivot.child.exitCode}; see ${pivot.logFile}`);
        },
      });
      const total = seconds(start);
      for (const s of services) await s.stop();
      if (o.verify(attempt)) {
        const results = await verifyAll(pool, { schema: 'tenant', table: 'tbl_data_timeseries' });
        const bad = results.filter((r) => r.mismatches > 0 || r.expectedCells !== r.actualCells);
        if (bad.length) throw new Error(`verify failed for ${bad.length} ships, e.g. ${JSON.stringify(bad[0]).slice(0, 300)}`);
      }
      await resetTarget(pool); // like the baselines' dropSchema (wide-tables.ts)
      return {
        seconds: total,
        phases: { backfillProcessS: backfillS, pivotDrainAfterS: total - backfillS },
        peakRssMiB: { pivot: Math.round(pivot.memory.peakMiB), backfill: Math.round(backfill.memory.peakMiB) },
        rss: { pivot: pivot.memory.rss, backfill: backfill.memory.rss },
      };
    } finally {
      for (const s of services) await s.stop().catch(() => undefined);
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.close();
    }
  };
}
