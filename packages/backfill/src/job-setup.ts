import type pg from 'pg';
import type { Logger } from '@fleetpivot/telemetry';
import { BackfillError } from './errors.ts';
import { createJob, fencedShipsOfJob, findUnfinishedJob, getJob, markResumed, type JobScope } from './job-store.ts';
import { planChunks } from './plan.ts';
import type { ResolvedOptions } from './options.ts';
import type { ChunkAccess } from './chunk-sql.ts';
import { readShipStatsSampled } from './sampled-stats.ts';
import { readShipStats } from './stats.ts';
import { timestampLiteralText } from './time.ts';

export function jobScope(o: ResolvedOptions): JobScope {
  return {
    ships: o.ships,
    from: o.fromUs === null ? null : timestampLiteralText(o.fromUs),
    to: o.toUs === null ? null : timestampLiteralText(o.toUs),
  };
}

export function tableName(o: ResolvedOptions): string {
  return `${o.sourceTable.schema}.${o.sourceTable.table}`;
}

const LOCK_NAMESPACE = 0x66706266n << 32n; // "fpbf"

/**
 * Holds a session advisory lock on the job for the life of `client`, so two processes never run one job
 * at once; a killed process's lock goes with its session.
 */
export async function lockJob(client: pg.ClientBase, jobId: string): Promise<void> {
  const key = (LOCK_NAMESPACE | BigInt(jobId)).toString();
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int8) AS ok', [key]);
  if (!rows[0]?.ok) throw new BackfillError('job_busy', `backfill job ${jobId} is being run by another process`);
}

export interface ChosenJob {
  jobId: string;
  resumed: boolean;
  /** This run planned the job from a sample of the table (sampled-stats.ts); false when it resumed one. */
  sampledPlan: boolean;
}

/**
 * The job to run: the one named, else the latest unfinished one with this scope (a plain rerun
 * continues), else a new one planned now from the source's per-ship histogram.
 */
export async function chooseJob(source: pg.Pool, target: pg.Pool, lockClient: pg.ClientBase, o: ResolvedOptions, access: ChunkAccess, logger: Logger): Promise<ChosenJob> {
  const scope = jobScope(o);
  let existing = null;
  if (o.resumeJobId) {
    existing = await getJob(target, o.resumeJobId);
    if (!existing) throw new BackfillError('job_not_found', `backfill job ${o.resumeJobId} does not exist`);
  } else if (!o.newJob) existing = await findUnfinishedJob(target, tableName(o), scope);
  if (existing) {
    await lockJob(lockClient, existing.id);
    await markResumed(target, existing.id);
    logger.info({ job: existing.id, status: existing.status, rowsDone: existing.rowsDone, rowsTotal: existing.rowsTotal }, 'backfill job resumed');
    const fenced = await fencedShipsOfJob(target, existing.id);
    if (fenced.length > 0) {
      logger.warn(
        { job: existing.id, ships: fenced.slice(0, 20), count: fenced.length },
        'ships of this job were rolled back after it was created: the pivot drops what it reads for them; rebuild them with a new job (--ships ... --new-job)',
      );
    }
    return { jobId: existing.id, resumed: true, sampledPlan: false };
  }
  const started = performance.now();
  const client = await source.connect();
  const bucketUs = BigInt(o.planBucketSeconds) * 1_000_000n;
  let stats;
  let sampled = false;
  try {
    // A sample only for the whole table: a job scoped to ships or times reads little with the exact scan.
    if (access === 'channel-walk' && o.ships === null && o.fromUs === null && o.toUs === null) {
      const estimated = await readShipStatsSampled(client, o.sourceTable, bucketUs, o.planSamplePages);
      if (estimated) [stats, sampled] = [estimated, true];
    }
    stats ??= await readShipStats(client, o.sourceTable, { ships: o.ships, fromUs: o.fromUs, toUs: o.toUs }, bucketUs);
  } finally {
    client.release();
  }
  const chunks = planChunks(stats, { chunkRows: o.chunkRows, bucketUs, fromUs: o.fromUs, toUs: o.toUs, order: o.order });
  const recorded = { chunkRows: o.chunkRows, parallelism: o.parallelism, rowsPerSecond: o.rowsPerSecond, batchMaxChanges: o.batchMaxChanges, encoding: o.encoding, order: o.order, slotName: o.slotName, topicPrefix: o.topicPrefix };
  const jobId = await createJob(lockClient, tableName(o), scope, recorded, chunks);
  await lockJob(lockClient, jobId);
  if (o.ships) {
    const found = new Set(stats.map((s) => s.shipId));
    const absent = o.ships.filter((s) => !found.has(s));
    if (absent.length > 0) logger.warn({ job: jobId, ships: absent }, 'backfill ships have no rows in scope');
  }
  logger.info(
    { job: jobId, ships: stats.length, chunks: chunks.length, rowsEstimate: chunks.reduce((n, c) => n + c.rowsEstimate, 0), sampled, planSeconds: (performance.now() - started) / 1000 },
    'backfill job planned',
  );
  return { jobId, resumed: false, sampledPlan: sampled };
}
