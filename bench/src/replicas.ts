// Scenario 4b: pivot throughput vs consumer replicas. The backfill fills a topic once (no consumer),
// then 1, 2, 3 pivot replicas in a fresh group drain the same backlog from an empty target: the
// consumer side alone, measured as narrow rows applied per second.
import { changeTopic } from '@fleetpivot/events';
import { verifyAll } from '@fleetpivot/sink-pg';
import type { StackInfo } from '@fleetpivot/stack';
import { silentLogger } from '@fleetpivot/telemetry';
import { createTestDatabase, uniqueName } from '@fleetpivot/testing';
import { createKafkajsTransport } from '@fleetpivot/transport-kafka';
import { loadDataset } from './data.ts';
import { waitDrained } from './drain.ts';
import { BENCH_SLOT, ensureSlot, pivotEnv, resetTarget, sharedEnv, TOPIC_PARTITIONS } from './fleetpivot-backfill.ts';
import { compare, log, measured, notMeasured, repeat, seconds, type Measurement, type RunOptions, type ScenarioResult } from './harness.ts';
import { freePort, startService, waitReady, type Service } from './services.ts';

export async function replicasScenario(stack: StackInfo, options: RunOptions): Promise<ScenarioResult> {
  const started = process.hrtime.bigint();
  const rows = options.quick ? 100_000 : 1_000_000;
  const db = await createTestDatabase(stack, 'bench_replicas');
  const transport = createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId: 'fleetpivot-bench', logger: silentLogger() });
  const admin = await transport.admin();
  const prefix = uniqueName('bench_rep');
  const topic = changeTopic(prefix);
  try {
    // 30 ships so the keys spread over all partitions.
    const data = await loadDataset(db.pool, { channels: 100, rows, ships: 30, seed: 8 });
    await ensureSlot(db.pool, BENCH_SLOT);
    await admin.ensureTopic({ topic, partitions: TOPIC_PARTITIONS, config: { 'max.message.bytes': String(16 * 1024 * 1024) } });
    const backfill = startService('backfill', {
      env: { FLEETPIVOT_SOURCE_URL: db.url, KAFKA_BROKERS: stack.kafkaBrokers.join(','), ...sharedEnv(prefix, BENCH_SLOT), BACKFILL_NEW_JOB: 'true', BACKFILL_PROGRESS: 'none', BACKFILL_HTTP_PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    });
    if ((await backfill.exited) !== 0) throw new Error(`backfill exited non-zero; see ${backfill.logFile}`);
    const measurements: Measurement[] = [];
    const peaks: Record<string, number[]> = {};
    const afterReady: Record<string, number[]> = {};
    for (const replicas of [1, 2, 3]) {
      const result = await repeat(options.repeats, async (attempt) => {
        await resetTarget(db.pool);
        const groupId = uniqueName('bench_rep_group');
        const pivots: Service[] = [];
        try {
          const t = process.hrtime.bigint();
          for (let i = 0; i < replicas; i++) pivots.push(startService('pivot', { env: pivotEnv(stack, { dbUrl: db.url, prefix, groupId, port: await freePort() }) }));
          for (const p of pivots) await waitReady(p);
          const ready = process.hrtime.bigint();
          await waitDrained(admin, groupId, topic, { timeoutMs: 10 * 60_000, target: db.pool });
          const s = seconds(t);
          // Only for one replica: with more, the last /readyz comes after the first replica has drained most of
          // the backlog, and rows ÷ (time since then) reported ~90 million rows/s (2026-12-05), i.e. nothing.
          if (replicas === 1) (afterReady[replicas] ??= []).push(data.rows / seconds(ready));
          for (const p of pivots) await p.stop();
          if (attempt === 0) {
            // Outside the timing: the drained backlog really is the narrow table, cell for cell.
            const bad = (await verifyAll(db.pool, { schema: 'tenant', table: 'tbl_data_timeseries' })).filter((r) => r.mismatches > 0 || r.expectedCells !== r.actualCells);
            if (bad.length) throw new Error(`verify failed for ${bad.length} ships with ${replicas} replicas`);
          }
          (peaks[replicas] ??= []).push(Math.max(...pivots.map((p) => Math.round(p.memory.peakMiB))));
          log(`  ${replicas} pivot replica(s): ${s.toFixed(2)} s = ${Math.round(data.rows / s).toLocaleString('en')} rows/s (incl. start and group join)`);
          return data.rows / s;
        } finally {
          for (const p of pivots) await p.stop().catch(() => undefined);
        }
      });
      if (result.samples.length === 0) {
        measurements.push(notMeasured(`fleetpivot ×${replicas}`, 'pivot throughput', 'narrow rows/s', true, `failed: ${result.error ?? 'no samples'}`));
        continue;
      }
      measurements.push(measured(`fleetpivot ×${replicas}`, 'pivot throughput', 'narrow rows/s', true, result.samples, result.error ? { error: result.error } : undefined));
      if (replicas === 1) measurements.push(measured(`fleetpivot ×${replicas}`, 'pivot throughput after ready', 'narrow rows/s', true, afterReady[replicas] ?? []));
      measurements.push(measured(`fleetpivot ×${replicas}`, 'peak RSS per replica', 'MiB', false, peaks[replicas] ?? []));
    }
    return {
      id: 'scaling/replicas',
      title: `Pivot throughput vs consumer replicas (${rows.toLocaleString('en')} rows backlog, 30 ships × 100 channels, ${TOPIC_PARTITIONS} partitions)`,
      params: { rows, ships: 30, channels: 100, partitions: TOPIC_PARTITIONS, note: "'pivot throughput': from starting the replicas (process start, migrations, group join included) to zero group lag; 'after ready' (1 replica only): from its /readyz to zero lag" },
      measurements,
      comparisons: [...compare(measurements, 'pivot throughput', 'fleetpivot ×2', ['fleetpivot ×1']), ...compare(measurements, 'pivot throughput', 'fleetpivot ×3', ['fleetpivot ×1'])],
      elapsedS: seconds(started),
    };
  } finally {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.close();
    await db.drop();
  }
}
