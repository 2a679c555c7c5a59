import { afterAll, describe, expect, inject, it } from 'vitest';
import { pauseShips, pruneTombstones, resumeShips } from '@fleetpivot/sink-pg';
import { sleep, until } from '../support/pipeline.ts';
import { applyNarrow, batchOf, opsAt } from './narrow-model.ts';
import { createBackfillTables, encode, expectExact, heldBack, pivotEnv, produce, runPivot, runningJob, waitApplied, type PivotEnv } from './harness.ts';

const stack = inject('stack');
const envs: PivotEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});
const { ins, del, backfill: stale } = opsAt('S', 1_700_000_015_000_000n);

async function tombstones(env: PivotEnv): Promise<string[]> {
  const { rows } = await env.db.pool.query<{ ch: string }>('SELECT data_channel_id AS ch FROM fleetpivot.cell_tombstones ORDER BY 1');
  return rows.map((r) => r.ch);
}

describe('tombstone pruning', () => {
  it('keeps tombstones while a backfill job runs and until the group applied what the topic held after it, then prunes them', { timeout: 120_000 }, async () => {
    const env = await pivotEnv(stack, 'prune', 2);
    envs.push(env);
    await createBackfillTables(env);
    const jobId = await runningJob(env);
    // The narrow table's final state: a and b inserted, then deleted live; c stays.
    await applyNarrow(env.db.pool, [ins('a', 1), ins('b', 2), ins('c', 3)]);
    await applyNarrow(env.db.pool, [del('a'), del('b')]);
    const pivot = await runPivot(env, { tombstonePruneMs: 100, tombstonePruneGraceMs: 300 });
    try {
      await produce(env, [encode(env, batchOf('S', [ins('a', 1), ins('b', 2), ins('c', 3)])), encode(env, batchOf('S', [del('a'), del('b')]))]);
      await waitApplied(env);
      expect(await tombstones(env)).toEqual(['a', 'b']);

      // A job is running: its chunks may have been read before the deletes, so nothing goes, however long.
      await produce(env, [encode(env, batchOf('S', [stale('a', 10)], 'BACKFILL'))]);
      await waitApplied(env);
      await sleep(1_500);
      expect(await tombstones(env)).toEqual(['a', 'b']);

      // The job's last value is in the topic but not applied yet (its ship is paused) when the job finishes:
      // the pruner's mark comes after the job, but the group has not applied up to the topic's end since.
      await pauseShips(env.db.pool, ['S'], 'hold the last backfill value');
      await heldBack(env, pivot, batchOf('S', [ins('c', 3)])); // c is 3 already
      await produce(env, [encode(env, batchOf('S', [stale('b', 20)], 'BACKFILL'))]);
      await env.db.pool.query(`UPDATE fleetpivot.backfill_jobs SET status = 'done', finished_at = now() WHERE id = $1`, [jobId]);
      await sleep(1_500);
      expect(await tombstones(env)).toEqual(['a', 'b']);
      expect((await pivot.metrics.tombstonesPruned.get()).values[0]?.value ?? 0).toBe(0);

      // Applied: the stale value met its tombstone, and now both go.
      await resumeShips(env.db.pool, ['S']);
      await waitApplied(env);
      await until('tombstones pruned', 10_000, async () => (await tombstones(env)).length === 0);
      expect((await pivot.metrics.tombstonesPruned.get()).values[0]?.value).toBe(2);

      // The pruner goes on: a later delete gets a tombstone of its own, pruned in turn (no job runs).
      await applyNarrow(env.db.pool, [del('c')]);
      await produce(env, [encode(env, batchOf('S', [del('c')]))]);
      await waitApplied(env);
      await until('the later tombstone pruned', 10_000, async () => (await tombstones(env)).length === 0);
    } finally {
      await pivot.stop();
    }
    // a and b stayed deleted: the stale values never refilled them.
    await expectExact(env);
  });

  it('gives a cell cleared again its new tombstone time, so a prune mark taken between the clears keeps it', { timeout: 60_000 }, async () => {
    const env = await pivotEnv(stack, 'prune_again', 1);
    envs.push(env);
    // The narrow table: a inserted and deleted, inserted again and deleted again; c stays.
    await applyNarrow(env.db.pool, [ins('a', 1), ins('c', 3)]);
    await applyNarrow(env.db.pool, [del('a')]);
    await applyNarrow(env.db.pool, [ins('a', 5)]);
    await applyNarrow(env.db.pool, [del('a')]);
    const pivot = await runPivot(env, { tombstonePruneMs: 0 });
    try {
      await produce(env, [encode(env, batchOf('S', [ins('a', 1), ins('c', 3)])), encode(env, batchOf('S', [del('a')]))]);
      await waitApplied(env);
      // The first clear happened long ago; a mark was taken after it, while no backfill job ran.
      await env.db.pool.query(`UPDATE fleetpivot.cell_tombstones SET deleted_at = '2024-01-01'`);
      // A job starts after that mark and reads a = 5; then a is set and cleared again, in one batch: the
      // pivot reduces it to the clear, whose tombstone already exists.
      await produce(env, [encode(env, batchOf('S', [ins('a', 5), del('a')]))]);
      await waitApplied(env);
      const { rows } = await env.db.pool.query<{ recent: boolean }>(`SELECT deleted_at > now() - interval '1 hour' AS recent FROM fleetpivot.cell_tombstones`);
      expect(rows).toEqual([{ recent: true }]);
      // The pruner's mark from between the clears no longer covers the tombstone…
      expect(await pruneTombstones(env.db.pool, '2024-02-01 00:00:00+00', 10)).toBe(0);
      // …so the job's value, read before the second clear, meets it and does not refill the cell.
      await produce(env, [encode(env, batchOf('S', [stale('a', 5)], 'BACKFILL'))]);
      await waitApplied(env);
    } finally {
      await pivot.stop();
    }
    await expectExact(env);
  });

  it('prunes in batches, only what is older than the mark, and stops between batches when asked', async () => {
    const env = await pivotEnv(stack, 'prune_batches', 1);
    envs.push(env);
    const pivot = await runPivot(env, { tombstonePruneMs: 0 }); // migrations only; no pruner of its own
    await pivot.stop();
    await env.db.pool.query(
      `INSERT INTO fleetpivot.cell_tombstones (ship_id, data_channel_id, created_time, deleted_at)
       SELECT 'S', 'ch' || i, '2024-01-01', CASE WHEN i <= 25 THEN '2024-01-01'::timestamptz ELSE '2024-03-01' END FROM generate_series(1, 30) i`,
    );
    // A stopping pivot's prune ends between batches.
    expect(await pruneTombstones(env.db.pool, '2024-02-01 00:00:00+00', 10, AbortSignal.abort())).toBe(0);
    expect(await pruneTombstones(env.db.pool, '2024-02-01 00:00:00+00', 10)).toBe(25);
    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM fleetpivot.cell_tombstones');
    expect(rows[0]!.n).toBe(30 - 25);
  });
});
