import { ChangeBatchCodec, changeTopic } from '@fleetpivot/events';
import { createPool, coerceError, runMigrations, type Pool, type PoolClient } from '@fleetpivot/pgkit';
import { silentLogger, type Logger, type Registry } from '@fleetpivot/telemetry';
import { createKafkajsTransport, type KafkaTransport, type Producer } from '@fleetpivot/transport-kafka';
import { BackfillError } from './errors.ts';
import { chooseJob } from './job-setup.ts';
import { defaultFillCaps } from './fill-builder.ts';
import { finishJob, getJob, loadChunks } from './job-store.ts';
import { createBackfillMetrics } from './metrics.ts';
import { backfillMigrations } from './migrations.ts';
import { resolveOptions, type BackfillOptions, type ResolvedOptions } from './options.ts';
import { checkSlot, checkSourceTable } from './preflight.ts';
import type { ChunkAccess } from './chunk-sql.ts';
import { ProgressTracker } from './progress.ts';
import { logDisplay, noDisplay, terminalDisplay, type ProgressDisplay } from './progress-display.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { readTapStream } from './read-tap.ts';
import { runChunks } from './workers.ts';

export interface BackfillDeps {
  logger?: Logger;
  /** The service's registry: backfill metrics are registered on it (served on /metrics by the service). */
  registry?: Registry;
  /** Instead of a kafkajs transport built from kafkaBrokers. */
  transport?: KafkaTransport;
  /** Aborting stops taking chunks and abandons running ones; the job stays resumable. */
  signal?: AbortSignal;
  /** Where the terminal display draws (default process.stderr). */
  terminal?: NodeJS.WriteStream;
}

export interface BackfillResult {
  jobId: string;
  resumed: boolean;
  /** This run planned the job from a sample of the table (docs/backfill.md, "Sampled plan"); false when it resumed one. */
  sampledPlan: boolean;
  /** Rows produced and acknowledged in this run. */
  rows: number;
  /** Rows of the job's done chunks, this run and earlier ones. */
  jobRows: number;
  /** Chunks finished in this run / in the job. */
  chunks: number;
  chunksTotal: number;
  seconds: number;
  warnings: string[];
}

/** A Job started together with the capture may wait for its slot (slotWaitMs) instead of failing at once. */
async function waitForSlot(client: PoolClient, slotName: string, waitMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let logged = false; ; ) {
    try {
      return await checkSlot(client, slotName);
    } catch (err) {
      if (!(err instanceof BackfillError) || Date.now() >= deadline) throw err;
      if (!logged) logger.info({ slot: slotName, waitMs }, 'waiting for the capture slot');
      logged = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The source's checks: the table (columns, key, how chunks are read) and the capture slot. */
async function preflightSource(source: Pool, o: ResolvedOptions, logger: Logger): Promise<{ warnings: string[]; access: ChunkAccess }> {
  const client = await source.connect();
  try {
    const checked = await checkSourceTable(client, o.sourceTable);
    await waitForSlot(client, o.slotName, o.slotWaitMs, logger);
    return checked;
  } finally {
    client.release();
  }
}

async function checkTopic(transport: KafkaTransport, topic: string): Promise<void> {
  const admin = await transport.admin();
  try {
    const partitions = await admin.partitionCount(topic).catch(() => 0);
    if (partitions === 0) throw new BackfillError('topic_missing', `topic ${topic} does not exist: start the capture service first (it creates the topic)`);
  } finally {
    await admin.close();
  }
}

/** The target's schema migrated, on the connection that then holds the job's lock for the run. */
async function prepareTarget(target: Pool): Promise<PoolClient> {
  const client = await target.connect();
  try {
    await runMigrations(client, 'backfill', backfillMigrations);
    return client;
  } catch (err) {
    client.release();
    throw err;
  }
}

/**
 * Runs (or resumes) one backfill job to the end: preflight, plan or resume, chunks in parallel, job
 * record finished. Resolves when every chunk is acknowledged by Kafka; rejects with a BackfillError
 * naming the problem otherwise (the job then stays resumable).
 */
export async function runBackfill(options: BackfillOptions, deps: BackfillDeps = {}): Promise<BackfillResult> {
  const o = resolveOptions(options);
  const logger = (deps.logger ?? silentLogger()).child({ stage: 'backfill' });
  const started = performance.now();
  // The source's sockets read into one reused buffer each: COPY reads are most of the bytes the job takes in.
  const source = createPool({ connectionString: o.sourceUrl, applicationName: 'fleetpivot-backfill', max: o.parallelism + 1, stream: readTapStream, onError: (err) => logger.warn({ err }, 'source connection lost') });
  const target = createPool({ connectionString: o.targetUrl, applicationName: 'fleetpivot-backfill', max: 3, onError: (err) => logger.warn({ err }, 'target connection lost') });
  const transport = deps.transport ?? createKafkajsTransport({ brokers: o.kafkaBrokers, clientId: 'fleetpivot-backfill', logger });
  const topic = changeTopic(o.topicPrefix, o.sourceTable);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // Four independent steps, so they overlap: one after another they took ~0.1 s of a one-shot job's start on a
    // 2-core host. Awaited below in the order a user should hear of problems: the source, Kafka, the target.
    const sourceChecked = preflightSource(source, o, logger);
    const topicChecked = checkTopic(transport, topic);
    const targetReady = prepareTarget(target);
    let producer: Producer | undefined;
    const producerReady = transport.producer().then((p) => (producer = p));
    // One that fails while an earlier one is awaited must not be an unhandled rejection.
    for (const step of [topicChecked, targetReady, producerReady]) step.catch(() => undefined);
    // A producer still connecting when the job fails closes once it connects, not holding up the failure.
    cleanups.push(async () => (producer ? producer.close() : void producerReady.then((p) => p.close(), () => undefined)));
    cleanups.push(() => targetReady.then((c) => c.release(), () => undefined));
    const { warnings, access } = await sourceChecked;
    for (const w of warnings) logger.warn({ table: `${o.sourceTable.schema}.${o.sourceTable.table}` }, w);
    await topicChecked;
    const lockClient = await targetReady;
    const { jobId, resumed, sampledPlan } = await chooseJob(source, target, lockClient, o, access, logger);
    const chunks = await loadChunks(target, jobId);
    const tracker = new ProgressTracker(jobId, chunks);
    const metrics = deps.registry ? createBackfillMetrics(deps.registry) : null;
    const display = chooseDisplay(o.progress, deps.terminal ?? process.stderr, logger);
    const timer = setInterval(() => display.update(tracker.snapshot()), display === noDisplay ? 60_000 : o.progress === 'log' || !(deps.terminal ?? process.stderr).isTTY ? o.progressLogIntervalMs : 250);
    cleanups.push(async () => clearInterval(timer));
    const workerDeps = { source, target, table: o.sourceTable, slotName: o.slotName, codec: new ChangeBatchCodec(), producer: await producerReady, topic, limiter: createRateLimiter(o.rowsPerSecond), batchMaxChanges: o.batchMaxChanges, batchMaxBytes: o.batchMaxBytes, encoding: o.encoding, access, shipChannels: new Map<string, Promise<readonly string[]>>(), encoders: [], fillArrays: [], fillCaps: defaultFillCaps(o.chunkRows), groupedMinRowsPerChannel: o.groupedMinRowsPerChannel, signal: deps.signal };
    const outcome = await runChunks(chunks.filter((c) => c.status !== 'done'), workerDeps, { jobId, parallelism: o.parallelism, maxChunkAttempts: o.maxChunkAttempts, tracker, metrics, logger }).catch(async (err: unknown) => {
      display.done(tracker.snapshot());
      await finishJob(target, jobId, 'failed', coerceError(err).message).catch(() => undefined);
      throw err;
    });
    display.done(tracker.snapshot());
    const error = deps.signal?.aborted ? 'aborted' : outcome.failed.length > 0 ? `${outcome.failed.length} chunk(s) failed; first: ${outcome.failed[0]}` : null;
    await finishJob(target, jobId, error ? 'failed' : 'done', error);
    if (error) throw new BackfillError(deps.signal?.aborted ? 'aborted' : 'chunk_failed', `backfill job ${jobId} did not finish: ${error} (rerun to resume)`);
    const job = await getJob(target, jobId);
    const result = { jobId, resumed, sampledPlan, rows: outcome.rows, jobRows: job?.rowsDone ?? outcome.rows, chunks: outcome.chunks, chunksTotal: chunks.length, seconds: (performance.now() - started) / 1000, warnings };
    logger.info(result, 'backfill job done');
    return result;
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => logger.warn({ err: coerceError(err) }, 'backfill cleanup failed'));
    await source.end().catch(() => undefined);
    await target.end().catch(() => undefined);
  }
}

function chooseDisplay(mode: string, terminal: NodeJS.WriteStream, logger: Logger): ProgressDisplay {
  if (mode === 'none') return noDisplay;
  if (mode === 'terminal' || (mode === 'auto' && terminal.isTTY)) return terminalDisplay(terminal);
  return logDisplay(logger);
}
