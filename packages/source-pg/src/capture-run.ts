import { ChangeBatchCodec } from '@fleetpivot/events';
import { sqlState } from '@fleetpivot/pgkit';
import type { createPool } from '@fleetpivot/pgkit';
import type { Producer } from '@fleetpivot/transport-kafka';
import { SourcePgError } from './errors.ts';
import { LeaderLock } from './leader.ts';
import { formatLsn } from './lsn.ts';
import type { CaptureMetrics } from './metrics.ts';
import { CapturePipeline } from './pipeline.ts';
import { OrderedSender } from './sender.ts';
import { emitHeartbeat, ensurePublication, ensureSlot, slotLagBytes } from './setup.ts';
import { ReplicationStream } from './stream.ts';
import type { CaptureDeps, CaptureOptions, CaptureState } from './capture.ts';

export type ResolvedCaptureOptions = Required<CaptureOptions>;

/** One capture lifetime: standby, active streaming, stop. */
export class CaptureRun {
  state: CaptureState = 'standby';
  confirmed = 0n;
  private readonly o: ResolvedCaptureOptions;
  private readonly deps: CaptureDeps;
  private readonly metrics: CaptureMetrics;
  private readonly pool: ReturnType<typeof createPool>;
  private readonly producer: Producer;
  private readonly topic: string;
  private readonly partitions: number;
  private readonly lock: LeaderLock;
  private stream: ReplicationStream | null = null;
  private pipeline: CapturePipeline | null = null;
  private sender: OrderedSender | null = null;
  private stopRequested = false;
  private failure: ((err: unknown) => void) | null = null;
  private stopped: Promise<void> | null = null;

  constructor(o: ResolvedCaptureOptions, deps: CaptureDeps, metrics: CaptureMetrics, pool: ReturnType<typeof createPool>, producer: Producer, topic: string, partitions: number) {
    this.o = o;
    this.deps = deps;
    this.metrics = metrics;
    this.pool = pool;
    this.producer = producer;
    this.topic = topic;
    this.partitions = partitions;
    this.lock = new LeaderLock({ connectionString: o.sourceUrl, slotName: o.slotName, pollMs: o.standbyPollMs }, deps.logger);
  }

  async run(): Promise<void> {
    const failed = new Promise<never>((_, reject) => (this.failure = reject));
    failed.catch(() => undefined);
    this.lock.onLost((err) => this.fail(err));
    let timers: NodeJS.Timeout[] = [];
    try {
      if (!(await Promise.race([this.lock.acquire(() => this.stopRequested), failed]))) return;
      // Not 'active' (ready) until the slot exists: a writer that waits for readiness must never write
      // changes the slot cannot have seen.
      this.state = 'preparing';
      const confirmed = await this.prepareSlot();
      if (this.stopRequested) return;
      this.state = 'active';
      this.metrics.active.set(1);
      this.deps.logger.info({ confirmedLsn: formatLsn(confirmed), topic: this.topic, partitions: this.partitions }, 'capture active');
      timers = this.startTimers();
      await Promise.race([this.stream0(confirmed), failed]);
      if (!this.stopRequested) throw new SourcePgError('stream_failed', 'replication stream ended unexpectedly');
    } catch (err) {
      this.state = 'failed';
      this.metrics.errors.inc({ kind: 'fatal' });
      this.deps.logger.error({ err }, 'capture failed');
      throw err;
    } finally {
      for (const t of timers) clearInterval(t);
      this.metrics.active.set(0);
      await this.stream?.stop().catch(() => undefined);
      await this.lock.release();
      await this.producer.close().catch(() => undefined);
      await this.pool.end().catch(() => undefined);
      if (this.state !== 'failed') this.state = 'stopped';
    }
  }

  stop(): Promise<void> {
    this.stopped ??= this.gracefulStop();
    return this.stopped;
  }

  private async gracefulStop(): Promise<void> {
    this.stopRequested = true;
    if (this.state !== 'active') return;
    this.state = 'stopping';
    this.pipeline?.stopAccepting();
    const drained = this.sender?.drain() ?? Promise.resolve();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.o.stopTimeoutMs).unref());
    const outcome = await Promise.race([drained.then(() => 'drained' as const), timeout]).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'in-flight sends failed during stop; the slot replays them');
      return 'failed' as const;
    });
    this.stream?.sendStatus();
    this.deps.logger.info({ outcome, confirmedLsn: formatLsn(this.confirmed) }, 'capture stopping');
    // Give the walsender a moment to read the last status before the connection closes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await this.stream?.stop();
  }

  private fail(err: unknown): void {
    this.failure?.(err);
  }

  private async prepareSlot(): Promise<bigint> {
    const client = await this.pool.connect();
    try {
      await ensurePublication(client, { table: this.o.table, slotName: this.o.slotName, publicationName: this.o.publicationName, insertOnly: this.o.insertOnly });
      return await ensureSlot(client, this.o.slotName);
    } finally {
      client.release();
    }
  }

  private async stream0(initial: bigint): Promise<void> {
    const codec = new ChangeBatchCodec();
    this.confirmed = initial;
    this.metrics.confirmedLsn.set(Number(initial));
    const onConfirmable = (lsn: bigint) => {
      this.confirmed = lsn;
      this.metrics.confirmedLsn.set(Number(lsn));
      this.stream?.confirm(lsn);
    };
    const sender = new OrderedSender(this.producer, { topic: this.topic, inflightMaxBytes: this.o.inflightMaxBytes, requestMaxBytes: this.o.requestMaxBytes }, {
      onAcked: (seq) => pipeline.acked(seq),
      onSent: (messages, bytes, seconds, changes) => {
        this.metrics.events.inc(changes);
        this.metrics.messages.inc(messages);
        this.metrics.bytes.inc(bytes);
        this.metrics.produceLatency.observe(seconds);
      },
    });
    const pipeline = new CapturePipeline(
      {
        table: this.o.table,
        batcher: { maxChanges: this.o.batchMaxChanges, maxBytes: this.o.batchMaxBytes, txBufferMaxBytes: this.o.txBufferMaxBytes },
        partitions: this.partitions,
        encode: (b) => codec.encode(b),
        schemaVersion: codec.version,
        onConfirmable,
      },
      sender,
      initial,
      this.deps.logger,
      this.metrics,
    );
    this.sender = sender;
    this.pipeline = pipeline;
    await this.streamWithRetry(initial, pipeline);
  }

  /** The previous holder's walsender may still be exiting after a crash: retry "slot is active" briefly. */
  private async streamWithRetry(initial: bigint, pipeline: CapturePipeline): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stream = new ReplicationStream({ connectionString: this.o.sourceUrl, slotName: this.o.slotName, publicationName: this.o.publicationName }, this.deps.logger);
      this.stream = stream;
      stream.confirm(initial);
      try {
        await stream.run(initial, (msg) => pipeline.handle(msg), (err) => {
          this.metrics.errors.inc({ kind: 'stream' });
          this.fail(err);
        });
        return;
      } catch (err) {
        await stream.stop().catch(() => undefined);
        if (sqlState(err) !== '55006' || attempt >= 30 || this.stopRequested) throw new SourcePgError('stream_failed', `stream from slot ${this.o.slotName}`, { cause: err });
        this.deps.logger.warn({ attempt }, 'replication slot still active elsewhere; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private startTimers(): NodeJS.Timeout[] {
    const status = setInterval(() => {
      this.stream?.sendStatus();
      void this.lock.check();
      this.pool
        .connect()
        .then(async (c) => {
          try {
            const lag = await slotLagBytes(c, this.o.slotName);
            if (lag !== null) this.metrics.slotLag.set(lag);
          } finally {
            c.release();
          }
        })
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'slot lag query failed'));
    }, this.o.statusIntervalMs);
    const timers = [status];
    if (this.o.heartbeatIntervalMs > 0) {
      timers.push(
        setInterval(() => {
          if (Date.now() - (this.pipeline?.lastCommitMs ?? 0) < this.o.heartbeatIntervalMs) return;
          this.pool
            .connect()
            .then(async (c) => {
              try {
                await emitHeartbeat(c, this.o.slotName);
                this.metrics.heartbeats.inc();
              } finally {
                c.release();
              }
            })
            .catch((err: unknown) => {
              this.metrics.errors.inc({ kind: 'heartbeat' });
              this.deps.logger.warn({ err }, 'heartbeat failed');
            });
        }, this.o.heartbeatIntervalMs),
      );
    }
    return timers;
  }
}
