import { afterAll, describe, expect, inject, it } from 'vitest';
import { backfillMigrations, getJob } from '@fleetpivot/backfill';
import { runMigrations } from '@fleetpivot/pgkit';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { createJob, markChunkDone, markChunkRunning } from '../../packages/backfill/src/job-store.ts';
import type { ChunkSpec } from '../../packages/backfill/src/plan.ts';

const stack = inject('stack');
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

describe('the job record', () => {
  it('counts every done chunk when many finish at once, and a chunk marked done twice once', async () => {
    db = await createTestDatabase(stack, 'job_store');
    const c = await db.pool.connect();
    const chunks: ChunkSpec[] = Array.from({ length: 40 }, (_, i) => ({ shipId: `S${i % 4}`, fromUs: BigInt(i) * 1_000_000n, toUs: BigInt(i + 1) * 1_000_000n, nullTime: false, rowsEstimate: 100 }));
    let jobId: string;
    try {
      await runMigrations(c, 'backfill', backfillMigrations);
      jobId = await createJob(c, 'tenant.tbl_data_timeseries', { ships: null, from: null, to: null }, {}, chunks);
    } finally {
      c.release();
    }
    for (let id = 1; id <= chunks.length; id++) await markChunkRunning(db.pool, jobId, id);
    // Chunks 6-40 first. Then the last five finish at once: each statement has taken its snapshot and updated its
    // chunk before any gets the job's row, which another session holds meanwhile. Before the fix each then wrote
    // the sum of the done chunks it saw (its own and none of the other four) and the last to write won; an earlier
    // race was repaired by any later chunk's sum, a race of the last ones was not. (The pool has 8 connections:
    // these five, the holder, one spare.)
    await Promise.all(chunks.slice(5).map((_, i) => markChunkDone(db!.pool, jobId, i + 6, 105 + i, '0/1')));
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM fleetpivot.backfill_jobs WHERE id = $1 FOR UPDATE', [jobId]);
      const blocked = Promise.all([1, 2, 3, 4, 5].map((id) => markChunkDone(db!.pool, jobId, id, 99 + id, '0/1')));
      const waiting = async () => {
        await holder.query('SELECT pg_stat_clear_snapshot()'); // activity is otherwise read once per transaction
        const { rows } = await holder.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%backfill_jobs j SET rows_done%'`);
        return Number(rows[0]!.n);
      };
      while ((await waiting()) < 5) await new Promise((r) => setTimeout(r, 20));
      await holder.query('COMMIT');
      await blocked;
    } finally {
      holder.release();
    }
    const expected = chunks.reduce((n, _, i) => n + 100 + i, 0);
    expect((await getJob(db.pool, jobId))?.rowsDone).toBe(expected);
    // Marked done again with another count (as a retried acknowledgement would): the job moves by the difference.
    await markChunkDone(db.pool, jobId, 1, 150, '0/2');
    expect((await getJob(db.pool, jobId))?.rowsDone).toBe(expected + 50);
  });
});
