import type { ChangeBatchCodec } from '@fleetpivot/events';
import { CellReducer, type Parked } from '@fleetpivot/pivot';
import { isFencedBackfill, isPaused, type PauseState, type WideSink } from '@fleetpivot/sink-pg';
import type { BatchContext, Consumer, OutgoingMessage, PartitionBatch, Producer, TopicPartition } from '@fleetpivot/transport-kafka';
import type { Logger } from '@fleetpivot/telemetry';
import { decodeMessage, type DecodedMessage } from './decode.ts';
import type { PivotMetrics } from './metrics.ts';

export interface HandlerDeps {
  groupId: string;
  deadLetterTopic: string;
  codec: ChangeBatchCodec;
  sink: WideSink;
  consumer: () => Consumer;
  producer: Producer;
  pauses: () => PauseState;
  /** Reads pauses and fences now (the apply found a fence newer than the polled state). */
  refreshPauses: () => Promise<void>;
  /** Called when a partition is paused because it reached a message of a paused ship. */
  onPausedPartition: (tp: TopicPartition, shipId: string) => void;
  metrics: PivotMetrics;
  logger: Logger;
  /**
   * "topic/partition" → the applied offset this replica last wrote or read. Saves a database round trip per
   * batch; a stale value is harmless: the apply locks the stored offset, compares, and answers 'stale'.
   */
  applied: Map<string, bigint>;
}

/**
 * Applies one partition batch exactly once: skip what the target database says is applied, reduce, park
 * poison, apply in one transaction with the new applied offset, and only then commit the Kafka offset.
 */
export async function handlePartitionBatch(d: HandlerDeps, batch: PartitionBatch, ctx: BatchContext): Promise<void> {
  const ref = { group: d.groupId, topic: batch.topic, partition: batch.partition };
  const tp = { topic: batch.topic, partition: batch.partition };
  const decoded = batch.messages.map((m) => decodeMessage(d.codec, m));
  const last = decoded[decoded.length - 1]!.offset;
  const cacheKey = `${batch.topic}/${batch.partition}`;
  for (let attempt = 0; ; attempt++) {
    const applied = d.applied.get(cacheKey) ?? (await d.sink.appliedOffset(ref));
    let todo = decoded.filter((m) => m.offset > applied);
    const state = d.pauses();
    const pausedAt = todo.findIndex((m) => m.batch !== null && isPaused(state, m.batch.ship_id));
    const pausedMsg = pausedAt >= 0 ? todo[pausedAt]! : null;
    if (pausedMsg) todo = todo.slice(0, pausedAt);
    if (todo.length > 0) {
      const started = process.hrtime.bigint();
      const reducer = new CellReducer();
      const fenced: string[] = [];
      const backfillShips = new Set<string>();
      for (const m of todo) {
        if (m.batch?.source.kind === 'BACKFILL' && m.batch.ship_id !== null) backfillShips.add(m.batch.ship_id);
        const position = { topic: batch.topic, partition: batch.partition, offset: m.message.offset };
        // A rolled-back ship's values from jobs older than its rollback: applied offset moves past them, nothing else.
        if (m.batch && isFencedBackfill(state.fences, m.batch)) fenced.push(`${m.batch.ship_id!.slice(0, 100)}@${m.batch.source.job_id?.slice(0, 30) ?? 'no job'}`);
        else if (m.batch) reducer.add(m.batch, position);
        else reducer.addUndecodable(position, m.error ?? 'undecodable');
      }
      const reduction = reducer.result();
      await parkToTopic(d, todo, reduction.parked);
      const lastOffset = todo[todo.length - 1]!.offset;
      d.applied.delete(cacheKey); // unknown until the apply answers (it may throw)
      const backfillFences = backfillShips.size > 0 ? { ships: [...backfillShips], seen: state.fences } : undefined;
      const result = await d.sink.apply({ ...ref, expectedApplied: applied, lastOffset, reduction, ...(backfillFences ? { backfillFences } : {}) });
      if (result.status === 'applied') d.applied.set(cacheKey, lastOffset);
      if (result.status === 'stale') {
        d.logger.info({ topic: batch.topic, partition: batch.partition, attempt }, 'applied offset moved under us, re-filtering batch');
        continue;
      }
      if (result.status === 'fences_changed') {
        // A rollback committed after the last poll: take its pause and fence now, and filter again.
        d.logger.info({ topic: batch.topic, partition: batch.partition, attempt }, 'a ship of the batch was rolled back since the last poll, re-filtering batch');
        await d.refreshPauses();
        continue;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      observe(d, todo, reduction.parked, result, seconds);
      if (fenced.length > 0) {
        // Counted once applied: a stale or failed attempt drops them again.
        d.metrics.fencedMessages.inc(fenced.length);
        d.logger.info({ topic: batch.topic, partition: batch.partition, messages: fenced.length, from: [...new Set(fenced)].slice(0, 10) }, 'dropped backfill messages of jobs older than their ship\'s rollback');
      }
    }
    const next = pausedMsg ? pausedMsg.offset : (last > applied ? last : applied) + 1n;
    if (ctx.isActive()) await d.consumer().commit([{ ...tp, offset: next.toString() }]);
    // The adapter continues after the batch by itself; seek only to go back to a paused message or to skip ahead
    // past what another replica already applied (a seek drops prefetched data and costs a fetch round trip).
    if (pausedMsg || next !== last + 1n) d.consumer().seek({ ...tp, offset: next.toString() });
    if (pausedMsg) {
      d.consumer().pause([tp]);
      d.onPausedPartition(tp, pausedMsg.batch!.ship_id!);
    }
    return;
  }
}

function observe(d: HandlerDeps, todo: DecodedMessage[], parked: readonly Parked[], result: { cells: number; rows: number; overflows: number }, seconds: number): void {
  const m = d.metrics;
  m.messages.inc(todo.length);
  m.batchMessages.observe(todo.length);
  m.applySeconds.observe(seconds);
  m.cells.inc(result.cells);
  m.rows.inc(result.rows);
  if (result.overflows > 0) m.overflow.inc(result.overflows);
  for (const p of parked) m.parked.inc({ reason: p.reason });
  const nowUs = BigInt(Date.now()) * 1000n;
  for (const t of todo) {
    if (t.batch?.source.kind === 'LIVE') m.endToEndSeconds.observe(Math.max(0, Number(nowUs - BigInt(t.batch.source.commit_time_us)) / 1e6));
  }
}

/** Each parked change or message goes to the dead-letter topic as the original bytes with the reason in headers. */
async function parkToTopic(d: HandlerDeps, todo: DecodedMessage[], parked: readonly Parked[]): Promise<void> {
  if (parked.length === 0) return;
  const byOffset = new Map(todo.map((m) => [m.message.offset, m.message]));
  const out: OutgoingMessage[] = parked.map((p) => {
    const src = byOffset.get(p.position.offset)!;
    return {
      key: src.key,
      value: src.value ?? Buffer.alloc(0),
      headers: {
        ...Object.fromEntries(Object.entries(src.headers).filter((e): e is [string, Buffer] => e[1] !== undefined)),
        'fp-dlq-reason': p.reason,
        'fp-dlq-detail': p.detail.slice(0, 1000),
        'fp-dlq-source': `${p.position.topic}/${p.position.partition}/${p.position.offset}`,
        ...(p.changeIndex === null ? {} : { 'fp-dlq-change-index': String(p.changeIndex) }),
      },
    };
  });
  await d.producer.send(d.deadLetterTopic, out);
  d.logger.warn({ count: parked.length, reasons: [...new Set(parked.map((p) => p.reason))] }, 'parked poison changes');
}
