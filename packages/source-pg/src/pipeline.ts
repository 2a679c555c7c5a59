import { SCHEMA_VERSION_HEADER, shipKey } from '@fleetpivot/events';
import type { ChangeBatch, SourceTable } from '@fleetpivot/events';
import type { OutgoingMessage } from '@fleetpivot/transport-kafka';
import type { Logger } from '@fleetpivot/telemetry';
import { TransactionBatcher } from './batcher.ts';
import type { BatcherOptions, OutBatch } from './batcher.ts';
import { CheckpointTracker } from './checkpoint.ts';
import { changesOf, columnIndex } from './changes.ts';
import type { ColumnIndex } from './changes.ts';
import { formatLsn } from './lsn.ts';
import type { Lsn } from './lsn.ts';
import type { PgoutputMessage, Relation } from './pgoutput.ts';
import { narrowLong } from './values.ts';
import type { CaptureMetrics } from './metrics.ts';

/** What the pipeline needs from the Kafka side (OrderedSender, or a fake in tests). */
export interface BatchSender {
  enqueue(message: OutgoingMessage, weight?: number): number;
  waitFor(): Promise<void>;
  readonly lastSeq: number;
}

export interface PipelineOptions {
  table: SourceTable;
  batcher: BatcherOptions;
  /** Partitions of the change topic: a TRUNCATE is sent to each. */
  partitions: number;
  encode(batch: ChangeBatch): Buffer;
  schemaVersion: number;
  /** Called whenever the confirmable position moves forward. */
  onConfirmable(lsn: Lsn): void;
}

/**
 * Turns the decoded pgoutput stream into ordered Kafka messages and decides the confirmable position.
 * No I/O of its own: the stream feeds `handle`, the sender reports acks to `acked`.
 */
export class CapturePipeline {
  private readonly options: PipelineOptions;
  private readonly sender: BatchSender;
  private readonly logger: Logger;
  private readonly metrics: CaptureMetrics;
  private readonly batcher: TransactionBatcher;
  readonly tracker: CheckpointTracker;
  private readonly relations = new Map<number, { relation: Relation; idx: ColumnIndex; narrow: boolean }>();
  private readonly stats = { unchangedToast: 0 };
  private accepting = true;
  private lastCommitAtMs = Date.now();

  constructor(options: PipelineOptions, sender: BatchSender, initialConfirmed: Lsn, logger: Logger, metrics: CaptureMetrics) {
    this.options = options;
    this.sender = sender;
    this.logger = logger;
    this.metrics = metrics;
    this.tracker = new CheckpointTracker(initialConfirmed);
    this.batcher = new TransactionBatcher(options.batcher, (out) => this.send(out));
  }

  /** When the last transaction (of any size) committed: the heartbeat only runs when this is old. */
  get lastCommitMs(): number {
    return this.lastCommitAtMs;
  }

  async handle(msg: PgoutputMessage): Promise<void> {
    if (!this.accepting) return;
    switch (msg.tag) {
      case 'begin':
        this.batcher.begin({
          kind: 'LIVE',
          lsn: formatLsn(msg.finalLsn),
          commit_time_us: narrowLong(msg.commitTimeUs),
          xid: msg.xid,
          job_id: null,
          chunk_id: null,
        });
        break;
      case 'relation': {
        const r = msg.relation;
        const narrow = r.schema === this.options.table.schema && r.name === this.options.table.table;
        if (!narrow) this.logger.warn({ relation: `${r.schema}.${r.name}` }, 'publication carries a table other than the narrow table; its changes are ignored');
        this.relations.set(r.oid, { relation: r, idx: columnIndex(r), narrow });
        break;
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const rel = this.relations.get(msg.relationOid);
        if (!rel?.narrow) break; // another table someone added to the publication: not ours
        const before = this.stats.unchangedToast;
        for (const routed of changesOf(msg, rel.idx, this.stats)) this.batcher.add(routed.shipId, routed.change);
        if (this.stats.unchangedToast > before) this.metrics.unchangedToast.inc(this.stats.unchangedToast - before);
        break;
      }
      case 'truncate':
        if (msg.relationOids.some((oid) => this.relations.get(oid)?.narrow)) {
          this.logger.error(
            { table: `${this.options.table.schema}.${this.options.table.table}`, partitions: this.options.partitions },
            'narrow table TRUNCATEd: sending a TRUNCATE event to every partition; wide tables are NOT cleared automatically',
          );
          this.metrics.truncates.inc();
          this.batcher.truncate(this.options.partitions);
        }
        break;
      case 'commit':
        this.batcher.commit();
        this.metrics.transactions.inc();
        this.lastCommitAtMs = Date.now();
        this.mark(msg.endLsn);
        break;
      case 'message':
        // A non-transactional message (our heartbeat, or anyone's) between transactions is a position
        // every earlier commit has already passed: confirmable once their messages are acked.
        if (!msg.transactional && !this.batcher.inTransaction) this.mark(msg.lsn);
        break;
      default:
        break;
    }
    await this.sender.waitFor();
  }

  /** Kafka acknowledged every message up to `seq`. */
  acked(seq: number): void {
    if (this.tracker.acked(seq)) this.options.onConfirmable(this.tracker.confirmed);
  }

  /** Stops taking messages; the unsent part of an open transaction is dropped (the slot replays it). */
  stopAccepting(): void {
    this.accepting = false;
    this.batcher.abandon();
  }

  private mark(lsn: Lsn): void {
    const before = this.tracker.confirmed;
    this.tracker.mark(lsn, this.sender.lastSeq);
    if (this.tracker.confirmed !== before) this.options.onConfirmable(this.tracker.confirmed);
  }

  private send(out: OutBatch): void {
    const value = this.options.encode(out.batch);
    this.sender.enqueue({
      key: out.partition === undefined ? shipKey(out.batch.ship_id) : null,
      value,
      headers: { [SCHEMA_VERSION_HEADER]: String(this.options.schemaVersion) },
      ...(out.partition === undefined ? {} : { partition: out.partition }),
    }, out.batch.changes.length);
  }
}
