import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadChunks } from '@fleetpivot/backfill';
import { uniqueName } from '@fleetpivot/testing';
import { sleep } from '../capture/helpers.ts';
import { backfillEnv, insertRows, keyOf, NARROW_KEYED_SQL, readWholeTopic, rowsOf, type BackfillEnv } from './helpers.ts';
import { logChildTo } from '../support/child-log.ts';

const stack = inject('stack');
const envs: BackfillEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});

interface Run {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  log(): string;
}

/** `node services/backfill/src/main.ts` as a real child process (the Kubernetes Job's command). */
function spawnBackfill(env: Record<string, string>, args: string[] = []): Run {
  const logFile = `/tmp/${uniqueName('backfill_run')}.log`;
  const child = spawn(process.execPath, ['services/backfill/src/main.ts', ...args], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    exited: logChildTo(child, logFile),
    kill: (signal = 'SIGKILL') => child.kill(signal),
    // Empty until the child's first line creates the file.
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
}

function serviceEnv(e: BackfillEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FLEETPIVOT_SOURCE_URL: e.db.url,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    FLEETPIVOT_TOPIC_PREFIX: e.prefix,
    FLEETPIVOT_SLOT_NAME: e.slot,
    BACKFILL_HTTP_PORT: '0',
    BACKFILL_PROGRESS: 'log',
    BACKFILL_PROGRESS_LOG_INTERVAL_MS: '500',
    ...extra,
  };
}

async function jobRowsDone(e: BackfillEnv): Promise<number> {
  const { rows } = await e.db.pool.query<{ n: number }>('SELECT coalesce(max(rows_done), 0)::float8 AS n FROM fleetpivot.backfill_jobs').catch(() => ({ rows: [{ n: 0 }] }));
  return rows[0]?.n ?? 0;
}

describe('the backfill job', () => {
  it('exits 1 naming the problem, and 2 on bad configuration', async () => {
    const e = await backfillEnv(stack, 'bf_exit', { slot: false });
    envs.push(e);
    const noSlot = spawnBackfill(serviceEnv(e, { BACKFILL_SLOT_WAIT_MS: '1000' }));
    expect((await noSlot.exited).code).toBe(1);
    expect(noSlot.log()).toMatch(/"code":"slot_missing".*start the capture service first/);
    const bad = spawnBackfill(serviceEnv(e, { BACKFILL_CHUNK_ROWS: 'many' }));
    expect((await bad.exited).code).toBe(2);
    expect(bad.log()).toMatch(/BACKFILL_CHUNK_ROWS/);
    const badFlag = spawnBackfill(serviceEnv(e), ['--from', 'yesterday']);
    expect((await badFlag.exited).code).toBe(1);
    expect(badFlag.log()).toMatch(/unreadable time/);
  });

  it('survives SIGKILL five times mid-way: each rerun resumes the same job, the final state is exact', async () => {
    const e = await backfillEnv(stack, 'bf_kill');
    envs.push(e);
    const rows = await insertRows(e, 8, 25, 1000); // 200,000 rows
    // Planned from a sample (~100 of ~1,800 pages), as a large table with the primary key is by default: the
    // kills must not care how the chunks were planned. (The SIGTERM test below keeps the exact plan.)
    const env = serviceEnv(e, { BACKFILL_CHUNK_ROWS: '5000', BACKFILL_PARALLELISM: '2', BACKFILL_ROWS_PER_SECOND: '25000', BACKFILL_BATCH_MAX_CHANGES: '1000', BACKFILL_PLAN_BUCKET_SECONDS: '600', BACKFILL_PLAN_SAMPLE_PAGES: '100' });
    const progress: number[] = [];
    for (let kill = 0; kill < 5; kill++) {
      const before = await jobRowsDone(e);
      const run = spawnBackfill(env);
      // Kill once at least one more chunk is acknowledged and recorded, plus a random moment into the next.
      let exited = false;
      void run.exited.then(() => (exited = true));
      if (kill === 0) {
        while (!exited && !/backfill job planned/.test(run.log())) await sleep(20);
        expect(run.log()).toMatch(/"sampled":true/);
      }
      while (!exited && (await jobRowsDone(e)) <= before) await sleep(20);
      await sleep(Math.floor(Math.random() * 300));
      expect(exited, run.log().slice(-2000)).toBe(false);
      run.kill();
      expect((await run.exited).signal).toBe('SIGKILL');
      progress.push(await jobRowsDone(e));
    }
    expect(progress.at(-1)!).toBeLessThan(rows);
    const final = spawnBackfill(env);
    expect((await final.exited).code, final.log().slice(-3000)).toBe(0);

    const jobs = await e.db.pool.query<{ id: string; status: string; retries: number; rows_done: string; rows_total: string }>('SELECT id::text, status, retries, rows_done::text, rows_total::text FROM fleetpivot.backfill_jobs');
    expect(jobs.rows).toEqual([{ id: jobs.rows[0]!.id, status: 'done', retries: 5, rows_done: String(rows), rows_total: expect.any(String) }]);
    // rows_total is the sample's estimate; rows_done is exact.
    expect(Math.abs(Number(jobs.rows[0]!.rows_total) / rows - 1)).toBeLessThan(0.25);
    const chunks = await loadChunks(e.db.pool, jobs.rows[0]!.id);
    expect(chunks.every((c) => c.status === 'done')).toBe(true);
    // Finished chunks were never redone: a kill interrupts at most `parallelism` running chunks.
    const attempts = chunks.reduce((n, c) => n + c.attempts, 0);
    expect(attempts).toBeLessThanOrEqual(chunks.length + 5 * 2);
    expect(attempts).toBeGreaterThan(chunks.length);

    const all = await readWholeTopic(stack, e.topic);
    const lsns = new Map((await e.db.pool.query<{ id: number; lsn: string }>('SELECT id, snapshot_lsn::text AS lsn FROM fleetpivot.backfill_chunks')).rows.map((r) => [`${jobs.rows[0]!.id}/${r.id}`, r.lsn]));
    const finalAttempt = new Map<string, number>();
    const values = new Map<string, string>();
    for (const r of all) {
      const chunkId = r.batch.source.chunk_id!;
      const carried = rowsOf(r.batch);
      if (r.batch.source.lsn === lsns.get(chunkId)) finalAttempt.set(chunkId, (finalAttempt.get(chunkId) ?? 0) + carried.length);
      for (const c of carried) values.set(keyOf(r.batch.ship_id, c.data_channel_id, c.created_time_us), String(c.double_v));
    }
    // The attempt that marked a chunk done delivered all of that chunk's rows.
    for (const c of chunks) expect({ chunk: c.id, rows: finalAttempt.get(`${jobs.rows[0]!.id}/${c.id}`) ?? 0 }).toEqual({ chunk: c.id, rows: c.rows });
    const narrow = await e.db.pool.query<{ ship_id: string; data_channel_id: string; us: string; double_v: string }>(NARROW_KEYED_SQL);
    expect(values.size).toBe(rows);
    for (const n of narrow.rows) expect(values.get(keyOf(n.ship_id, n.data_channel_id, n.us))).toBe(n.double_v);
  });

  it('stops on SIGTERM with the job resumable, and the rerun finishes it', async () => {
    const e = await backfillEnv(stack, 'bf_term');
    envs.push(e);
    const rows = await insertRows(e, 4, 10, 1000);
    const env = serviceEnv(e, { BACKFILL_CHUNK_ROWS: '2000', BACKFILL_ROWS_PER_SECOND: '8000', BACKFILL_PLAN_BUCKET_SECONDS: '600' });
    const run = spawnBackfill(env);
    while ((await jobRowsDone(e)) === 0) await sleep(20);
    run.kill('SIGTERM');
    expect((await run.exited).code).toBe(1);
    expect(run.log()).toMatch(/stopping backfill/);
    const stopped = await e.db.pool.query<{ status: string; error: string }>('SELECT status, error FROM fleetpivot.backfill_jobs');
    expect(stopped.rows).toEqual([{ status: 'failed', error: expect.stringMatching(/abort/) }]);
    const rerun = spawnBackfill(env, ['--resume']);
    expect((await rerun.exited).code, rerun.log().slice(-2000)).toBe(0);
    const done = await e.db.pool.query<{ status: string; rows_done: string; retries: number }>('SELECT status, rows_done::text, retries FROM fleetpivot.backfill_jobs');
    expect(done.rows).toEqual([{ status: 'done', rows_done: String(rows), retries: 1 }]);
  });
});
