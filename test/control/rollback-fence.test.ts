import { afterAll, describe, expect, inject, it } from 'vitest';
import { fencedShipsOfJob } from '@fleetpivot/backfill';
import { runCli } from '@fleetpivot/cli';
import { migrateControl, resume, rollbackShip } from '@fleetpivot/control';
import type { ChangeBatch } from '@fleetpivot/events';
import { applyNarrow, batchOf, opsAt, type NarrowOp } from '../pivot/narrow-model.ts';
import { createBackfillTables, encode, expectExact, heldBack, pivotEnv, produce, runPivot, runningJob, waitApplied, type PivotEnv } from '../pivot/harness.ts';
import { until } from '../support/pipeline.ts';

const stack = inject('stack');
const envs: PivotEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});
const { ins, upd, del, backfill: read } = opsAt('S', 1_700_000_015_000_000n);

/** A backfill message of job `jobId` (as the backfill writes them: the job's id in the source). */
function ofJob(jobId: string | null, ops: NarrowOp[]): ChangeBatch {
  const b = batchOf('S', ops, 'BACKFILL');
  return { ...b, source: { ...b.source, job_id: jobId, chunk_id: jobId === null ? null : `${jobId}/1` } };
}

describe('rollback fences the backfill jobs that existed before it', () => {
  it('drops what an older job still has in the topic, so the rebuild is exact, and names the ships a resumed old job reads in vain', { timeout: 90_000 }, async () => {
    const env = await pivotEnv(stack, 'fence', 1);
    envs.push(env);
    const pivot = await runPivot(env, { tombstonePruneMs: 0 });
    try {
      await createBackfillTables(env);
      await migrateControl(env.db.pool);
      // A fleet-wide job reads a = 1 and b = 7; live then updates a to 2 and deletes b, and both are applied.
      const old = await runningJob(env);
      await applyNarrow(env.db.pool, [ins('a', 1), ins('b', 7), ins('c', 3)]);
      await produce(env, [encode(env, batchOf('S', [ins('a', 1), ins('b', 7), ins('c', 3)]))]);
      await applyNarrow(env.db.pool, [upd('a', 2), del('b')]);
      await produce(env, [encode(env, batchOf('S', [upd('a', 2), del('b')]))]);
      await waitApplied(env);

      // The ship is rolled back while the old job's values for it are still on their way.
      const rolled = await rollbackShip(env.db.pool, 'S', { actor: 'test', reason: 'bad conversion', pauseSettleMs: 500 });
      expect(rolled.backfillJobFence).toBe(old);
      await heldBack(env, pivot, batchOf('S', [ins('c', 3)])); // c is 3 already
      const out: string[] = [];
      const io = { stdout: (l: string) => out.push(l), stderr: () => undefined, env: { FLEETPIVOT_SOURCE_URL: env.db.url, KAFKA_BROKERS: stack.kafkaBrokers.join(',') }, signal: new AbortController().signal };
      expect(await runCli(['status'], io)).toBe(0);
      expect(out).toContain(`rolled back, older backfill jobs fenced: S (jobs <= ${old})`);
      expect(out).toContain('paused: S (bad conversion)');
      await produce(env, [encode(env, ofJob(old, [read('a', 1), read('b', 7), read('c', 3)])), encode(env, ofJob(null, [read('b', 7)]))]);
      const rebuild = await runningJob(env);
      expect(BigInt(rebuild)).toBeGreaterThan(BigInt(old));
      // Resumed, the old values reach the empty tables first; then the rebuild reads the narrow table as it is now.
      await resume(env.db.pool, ['S'], 'test');
      await waitApplied(env);
      await produce(env, [encode(env, ofJob(rebuild, [read('a', 2), read('c', 3)]))]);
      await waitApplied(env);
      // Two messages were dropped: the old job's and the one without a job.
      expect((await pivot.metrics.fencedMessages.get()).values[0]?.value).toBe(2);
      // The pivot forgot the dropped tables when it saw the fence: its first batch after the resume created them
      // instead of failing on the cached layout.
      expect((await pivot.metrics.applyErrors.get()).values[0]?.value ?? 0).toBe(0);

      // Resuming the old job warns about the ships of its unfinished chunks that were rolled back since it was
      // created; not about a finished chunk, a ship not rolled back, or the rebuild job.
      const hostile = "S'; DROP TABLE fleetpivot.ship_fences; --";
      await env.db.pool.query(`INSERT INTO fleetpivot.ship_fences (ship_id, backfill_job_fence) VALUES ($1, $2)`, [hostile, old]);
      await env.db.pool.query(
        `INSERT INTO fleetpivot.backfill_chunks (job_id, id, ship_id, rows_estimate, status)
         SELECT $1::bigint, i, s, 1, st FROM unnest($3::int[], $4::text[], $5::text[]) AS u(i, s, st)
         UNION ALL SELECT $2::bigint, 1, 'S', 1, 'pending'`,
        [old, rebuild, [1, 2, 3, 4], ['S', hostile, 'T', 'done-ship'], ['pending', 'running', 'pending', 'done']],
      );
      await env.db.pool.query(`INSERT INTO fleetpivot.ship_fences (ship_id, backfill_job_fence) VALUES ('done-ship', $1)`, [old]);
      expect(await fencedShipsOfJob(env.db.pool, old)).toEqual(['S', hostile].sort());
      expect(await fencedShipsOfJob(env.db.pool, rebuild)).toEqual([]);
    } finally {
      await pivot.stop();
    }
    // a is 2, not the old job's 1 (without the fence it filled the empty cell, and the rebuild's 2 found it
    // taken); b stays deleted (without the fence the old 7 came back: its tombstone went with the rollback).
    await expectExact(env);
  });

  it('holds to the fence when the pivot has not polled since the rollback: the apply finds it and re-reads', { timeout: 90_000 }, async () => {
    const env = await pivotEnv(stack, 'fence_poll', 1);
    envs.push(env);
    await createBackfillTables(env);
    await migrateControl(env.db.pool);
    // A pivot whose pause poll will not run during the test: all it knows of pauses and fences is its start.
    const stale = await runPivot(env, { tombstonePruneMs: 0, pausePollMs: 600_000 });
    let old: string;
    try {
      old = await runningJob(env);
      await applyNarrow(env.db.pool, [ins('a', 1), ins('c', 3)]);
      await produce(env, [encode(env, batchOf('S', [ins('a', 1), ins('c', 3)]))]);
      await applyNarrow(env.db.pool, [upd('a', 2)]);
      await produce(env, [encode(env, batchOf('S', [upd('a', 2)]))]);
      await waitApplied(env);
      // The rollback's pause goes unseen (no settle either): only the apply's own check stands in the way.
      await rollbackShip(env.db.pool, 'S', { actor: 'test', reason: 'unseen pause', pauseSettleMs: 0 });
      await produce(env, [encode(env, ofJob(old, [read('a', 1), read('c', 3)]))]);
      // The apply answered "fences changed", the pivot read pauses and fences at once, and now holds S back.
      await until('the pivot holds S back', 30_000, async () => ((await stale.metrics.pausedPartitions.get()).values[0]?.value ?? 0) === 1);
      const tables = await env.db.pool.query(`SELECT 1 FROM fleetpivot.ship_tables WHERE ship_id = 'S'`);
      expect(tables.rowCount).toBe(0); // not recreated with the old values
      expect((await stale.metrics.applyErrors.get()).values[0]?.value ?? 0).toBe(0);
    } finally {
      await stale.stop();
    }
    // The rebuild, with a pivot that polls.
    const rebuild = await runningJob(env);
    await resume(env.db.pool, ['S'], 'test');
    const pivot = await runPivot(env, { tombstonePruneMs: 0 });
    try {
      await produce(env, [encode(env, ofJob(rebuild, [read('a', 2), read('c', 3)]))]);
      await waitApplied(env);
      expect((await pivot.metrics.fencedMessages.get()).values[0]?.value).toBe(1);
    } finally {
      await pivot.stop();
    }
    await expectExact(env);
  });
});

