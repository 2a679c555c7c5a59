import type pg from 'pg';
import { tableExists } from '@fleetpivot/pgkit';
import type { ChunkSpec } from './plan.ts';
import { timestampLiteralText } from './time.ts';

/** A job's scope as recorded; equality of this object is what "the same job" means for auto-resume. */
export interface JobScope {
  ships: string[] | null;
  from: string | null;
  to: string | null;
}

export interface ChunkRecord extends ChunkSpec {
  id: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  rows: number | null;
  attempts: number;
}

export interface JobRecord {
  id: string;
  sourceTable: string;
  scope: JobScope;
  status: 'running' | 'done' | 'failed';
  rowsTotal: number;
  rowsDone: number;
  chunksTotal: number;
  retries: number;
  error: string | null;
}

const JOB_COLUMNS = `id::text, source_table, scope, status, rows_total::float8 AS rows_total, rows_done::float8 AS rows_done, chunks_total, retries, error`;

type JobRow = { id: string; source_table: string; scope: JobScope; status: JobRecord['status']; rows_total: number; rows_done: number; chunks_total: number; retries: number; error: string | null };

function job(r: JobRow): JobRecord {
  return { id: r.id, sourceTable: r.source_table, scope: r.scope, status: r.status, rowsTotal: r.rows_total, rowsDone: r.rows_done, chunksTotal: r.chunks_total, retries: r.retries, error: r.error };
}

export async function getJob(db: pg.ClientBase | pg.Pool, id: string): Promise<JobRecord | null> {
  const { rows } = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM fleetpivot.backfill_jobs WHERE id = $1`, [id]);
  return rows[0] ? job(rows[0]) : null;
}

/** The latest unfinished job over the same table and scope: a plain rerun continues it. */
export async function findUnfinishedJob(db: pg.ClientBase | pg.Pool, sourceTable: string, scope: JobScope): Promise<JobRecord | null> {
  const { rows } = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM fleetpivot.backfill_jobs
      WHERE source_table = $1 AND scope = $2::jsonb AND status <> 'done' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [sourceTable, JSON.stringify(scope)],
  );
  return rows[0] ? job(rows[0]) : null;
}

/** Job and all its chunks in one transaction: a kill during planning leaves no half-planned job behind. */
export async function createJob(client: pg.ClientBase, sourceTable: string, scope: JobScope, options: object, chunks: readonly ChunkSpec[]): Promise<string> {
  await client.query('BEGIN');
  try {
    const total = chunks.reduce((n, c) => n + c.rowsEstimate, 0);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO fleetpivot.backfill_jobs (source_table, scope, status, rows_total, chunks_total, options)
       VALUES ($1, $2::jsonb, 'running', $3, $4, $5::jsonb) RETURNING id::text`,
      [sourceTable, JSON.stringify(scope), total, chunks.length, JSON.stringify(options)],
    );
    const id = rows[0]!.id;
    const lit = (us: bigint | null) => (us === null ? null : timestampLiteralText(us));
    await client.query(
      `INSERT INTO fleetpivot.backfill_chunks (job_id, id, ship_id, time_from, time_to, null_time, rows_estimate)
       SELECT $1, ord::int, s, f, t, n, e
         FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::bool[], $6::int8[]) WITH ORDINALITY AS u(s, f, t, n, e, ord)`,
      [id, chunks.map((c) => c.shipId), chunks.map((c) => lit(c.fromUs)), chunks.map((c) => lit(c.toUs)), chunks.map((c) => c.nullTime), chunks.map((c) => c.rowsEstimate)],
    );
    await client.query('COMMIT');
    return id;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Every chunk of a job, in work order; `from`/`to` come back as exact microseconds. */
export async function loadChunks(db: pg.ClientBase | pg.Pool, jobId: string): Promise<ChunkRecord[]> {
  const { rows } = await db.query<{ id: number; ship_id: string | null; f: string | null; t: string | null; null_time: boolean; rows_estimate: number; status: ChunkRecord['status']; rows: number | null; attempts: number }>(
    `SELECT id, ship_id, (extract(epoch FROM time_from) * 1000000)::int8::text AS f, (extract(epoch FROM time_to) * 1000000)::int8::text AS t,
            null_time, rows_estimate::float8 AS rows_estimate, status, rows::float8 AS rows, attempts
       FROM fleetpivot.backfill_chunks WHERE job_id = $1 ORDER BY id`,
    [jobId],
  );
  return rows.map((r) => ({
    id: r.id,
    shipId: r.ship_id,
    fromUs: r.f === null ? null : BigInt(r.f),
    toUs: r.t === null ? null : BigInt(r.t),
    nullTime: r.null_time,
    rowsEstimate: r.rows_estimate,
    status: r.status,
    rows: r.rows,
    attempts: r.attempts,
  }));
}

/**
 * Ships with unfinished chunks in the job that were rolled back after the job was created: the pivot drops what the
 * job reads for them (the fence in `fleetpivot.ship_fences`, sink-pg's backfill-fences.ts). None when the pivot's
 * tables are not in this database.
 */
export async function fencedShipsOfJob(db: pg.Pool, jobId: string): Promise<string[]> {
  if (!(await tableExists(db, 'fleetpivot.ship_fences'))) return [];
  const { rows } = await db.query<{ ship_id: string }>(
    `SELECT DISTINCT c.ship_id FROM fleetpivot.backfill_chunks c JOIN fleetpivot.ship_fences f ON f.ship_id = c.ship_id
     WHERE c.job_id = $1 AND c.status <> 'done' AND f.backfill_job_fence >= $1 ORDER BY 1`,
    [jobId],
  );
  return rows.map((r) => r.ship_id);
}

export async function markResumed(db: pg.Pool, jobId: string): Promise<void> {
  await db.query(`UPDATE fleetpivot.backfill_jobs SET status = 'running', retries = retries + 1, error = NULL, finished_at = NULL, updated_at = now() WHERE id = $1`, [jobId]);
}

export async function markChunkRunning(db: pg.Pool, jobId: string, chunkId: number): Promise<void> {
  await db.query(
    `UPDATE fleetpivot.backfill_chunks SET status = 'running', attempts = attempts + 1, error = NULL, started_at = now(), finished_at = NULL WHERE job_id = $1 AND id = $2`,
    [jobId, chunkId],
  );
}

export async function markChunkLsn(db: pg.Pool, jobId: string, chunkId: number, lsn: string): Promise<void> {
  await db.query(`UPDATE fleetpivot.backfill_chunks SET snapshot_lsn = $3::pg_lsn WHERE job_id = $1 AND id = $2`, [jobId, chunkId, lsn]);
}

/**
 * Called only after Kafka acknowledged every message of the chunk. The chunk is done with `rows` rows, and the
 * job's rows_done moves by the difference to what the chunk counted before (nothing unless it was done already).
 * An increment, not a sum over the done chunks: two workers finishing at once each summed in a snapshot without
 * the other's chunk, and the second to take the job's row lock wrote its stale sum over the first one's (a job of
 * 9,200 rows ended with rows_done 8,600). An increment is re-evaluated on the row version the lock wait ends
 * with, so none is lost (test/backfill/job-store.test.ts).
 */
export async function markChunkDone(db: pg.Pool, jobId: string, chunkId: number, rows: number, lsn: string): Promise<void> {
  await db.query(
    `WITH before AS (SELECT CASE WHEN status = 'done' THEN coalesce(rows, 0) ELSE 0 END AS counted FROM fleetpivot.backfill_chunks WHERE job_id = $1 AND id = $2 FOR UPDATE),
     c AS (UPDATE fleetpivot.backfill_chunks SET status = 'done', rows = $3, snapshot_lsn = $4::pg_lsn, finished_at = now() WHERE job_id = $1 AND id = $2)
     UPDATE fleetpivot.backfill_jobs j SET rows_done = j.rows_done + $3 - coalesce((SELECT counted FROM before), 0), updated_at = now() WHERE j.id = $1`,
    [jobId, chunkId, rows, lsn],
  );
}

export async function markChunkFailed(db: pg.Pool, jobId: string, chunkId: number, error: string): Promise<void> {
  await db.query(`UPDATE fleetpivot.backfill_chunks SET status = 'failed', error = $3, finished_at = now() WHERE job_id = $1 AND id = $2`, [jobId, chunkId, error]);
}

export async function finishJob(db: pg.Pool, jobId: string, status: 'done' | 'failed', error: string | null): Promise<void> {
  await db.query(`UPDATE fleetpivot.backfill_jobs SET status = $2, error = $3, finished_at = now(), updated_at = now() WHERE id = $1`, [jobId, status, error]);
}
