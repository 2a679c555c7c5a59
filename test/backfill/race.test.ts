import { afterAll, describe, expect, inject, it } from 'vitest';
import { runBackfill } from '@fleetpivot/backfill';
import { ChangeBatchCodec, deadLetterTopic, fillChanges } from '@fleetpivot/events';
import { startPivot } from '@fleetpivot/pivot-service';
import { appliedThrough, verifyAll } from '@fleetpivot/sink-pg';
import { createNarrowTable, loadHistory, startLive } from '@fleetpivot/simulator';
import { parseLsn, startCapture } from '@fleetpivot/source-pg';
import type { StackInfo } from '@fleetpivot/stack';
import { createLogger, createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { createTestDatabase, testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';
import type { KafkaTransport } from '@fleetpivot/transport-kafka';
import { sleep } from '../capture/helpers.ts';
import { startHammer } from './hammer.ts';
import { waitForSlot } from './helpers.ts';

/**
 * THE race (MISSION §4.3): history is backfilled while the simulator keeps inserting, updating and
 * deleting — including rows inside the very ranges being backfilled — and the capture streams. When the
 * writers stop and lag drains, every wide table must equal the independent SQL pivot of the narrow table.
 * Seed 1 backfills 1,000,000 history rows, seeds 2 and 3 200,000 each (FLEETPIVOT_FULL=1: 1,000,000 each).
 */
const stack = inject('stack');
const FULL = process.env.FLEETPIVOT_FULL === '1';
const log = process.env.BACKFILL_TEST_LOG ? createLogger({ service: 'race', level: 'info' }) : silentLogger();
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

async function admin<T>(s: StackInfo, fn: (a: Awaited<ReturnType<ReturnType<typeof testTransport>['admin']>>) => Promise<T>): Promise<T> {
  const a = await testTransport(s).admin();
  try {
    return await fn(a);
  } finally {
    await a.close();
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

// `grouped`: every chunk read grouped by channel (chunk-read.ts), not only those with long groups, so both reads
// are hammered.
const cases: { seed: number; rows: number; broken?: boolean; grouped?: boolean }[] = [
  { seed: 1, rows: 1_000_000 },
  { seed: 2, rows: FULL ? 1_000_000 : 200_000, grouped: true },
  { seed: 3, rows: FULL ? 1_000_000 : 200_000, grouped: true },
  // The control: the same race with backfill rows disguised as live UPDATEs (no "live wins") must fail verification.
  { seed: 4, rows: 100_000, broken: true },
];

/** A transport whose producer rewrites BACKFILL batches as LIVE UPDATEs: what a naive backfill would do. */
function liveLookingBackfill(inner: KafkaTransport): KafkaTransport {
  const codec = new ChangeBatchCodec();
  return {
    ...inner,
    producer: async (o) => {
      const p = await inner.producer(o);
      return {
        send: (topic, messages) =>
          p.send(
            topic,
            messages.map((m) => {
              const b = codec.decode(m.value);
              const changes = [...b.changes, ...(b.fills ? fillChanges(b.fills) : [])].map((ch) => ({ ...ch, op: 'UPDATE' as const }));
              return { ...m, value: codec.encode({ ...b, source: { ...b.source, kind: 'LIVE' }, changes, fills: null }) };
            }),
          ),
        close: () => p.close(),
      };
    },
  };
}

describe('backfill racing live writes', () => {
  for (const c of cases) {
    it(c.broken ? `detects a backfill without "live wins": seed ${c.seed}, ${c.rows} history rows` : `converges exactly: seed ${c.seed}, ${c.rows} history rows${c.grouped ? ', grouped reads' : ''}`, { timeout: FULL ? 1_200_000 : 600_000 }, async () => {
      const db = await createTestDatabase(stack, `race${c.seed}`);
      dbs.push(db);
      await createNarrowTable(db.pool, { primaryKey: true });
      const fleet = { seed: c.seed, ships: 20, channels: 50 };
      // History written before the capture exists: only the backfill can bring it over.
      const history = await loadHistory(db.pool, { ...fleet, rows: c.rows, endTime: new Date('2024-06-01T00:00:00Z') });
      const prefix = uniqueName(`race${c.seed}`);
      const capture = await startCapture(
        { sourceUrl: db.url, slotName: prefix, publicationName: prefix, topicPrefix: prefix, topicPartitions: 4, heartbeatIntervalMs: 500, statusIntervalMs: 250 },
        { transport: testTransport(stack), logger: log, registry: createRegistry('capture') },
      );
      const dlq = deadLetterTopic(prefix);
      await admin(stack, (a) => a.ensureTopic({ topic: dlq, partitions: 1 }));
      const groupId = uniqueName('race');
      const pivot = await startPivot({ transport: testTransport(stack, 'race-pivot'), pool: db.pool, topic: capture.topic, deadLetterTopic: dlq, groupId, pausePollMs: 500, sessionTimeoutMs: 10_000, logger: log });
      let stopped = false;
      try {
        await until('capture active', 30_000, async () => capture.state() === 'active');
        await waitForSlot(db.pool, prefix);
        // Writers: a simulated minute every 100 ms, with heavy corrections aimed at any existing row, old ones included.
        const live = startLive(db.pool, { ...fleet, history, intervalMs: 250, batchMs: 60_000, updateRate: 0.02, deleteRate: 0.01, lateRate: 0.05, newShipRate: 0.02, newChannelRate: 0.02, logger: log });
        const hammer = startHammer(db.pool, c.seed);
        // Rate-limited to about 10 s so many live ticks and hammer rounds overlap the chunks in flight.
        const backfill = await runBackfill(
          { sourceUrl: db.url, targetUrl: db.url, kafkaBrokers: stack.kafkaBrokers, topicPrefix: prefix, slotName: prefix, chunkRows: 2_500, parallelism: 2, rowsPerSecond: c.rows / 10, batchMaxChanges: 500, planBucketSeconds: 300, progress: 'none', groupedMinRowsPerChannel: c.grouped ? 0 : Infinity },
          { logger: log, ...(c.broken ? { transport: liveLookingBackfill(testTransport(stack)) } : {}) },
        );
        const hammered = await hammer.stop();
        expect(hammered.updated + hammered.deleted + hammered.reinserted).toBeGreaterThan(1_000);
        // A whole-table job over a table this large is planned from a sample: the race covers that plan too.
        if (c.rows >= 1_000_000) expect(backfill.sampledPlan).toBe(true);
        expect(backfill.jobRows).toBeGreaterThanOrEqual(c.rows * 0.9); // deletes during the run shrink it a little
        // Keep writing a little past the backfill, so late corrections land after every chunk was produced.
        await sleep(1_000);
        const stats = await live.stop();
        expect(stats.ticks).toBeGreaterThan(5);
        const end = parseLsn((await db.pool.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]!.lsn);
        await until('capture confirming past the writers', 120_000, async () => parseLsn(capture.confirmedLsn()) >= end);
        const ends = await admin(stack, (a) => a.logEndOffsets(capture.topic));
        await until('pivot lag draining', 300_000, () => appliedThrough(db.pool, groupId, capture.topic, ends));
        await pivot.stop();
        await capture.stop();
        stopped = true;
        const results = await verifyAll(db.pool, { schema: 'tenant', table: 'tbl_data_timeseries' });
        const bad = results.filter((r) => r.mismatches > 0).map((r) => ({ ship: r.shipId, mismatches: r.mismatches, sample: r.sample.slice(0, 3) }));
        if (c.broken) expect(bad.length).toBeGreaterThan(0);
        else expect(bad).toEqual([]);
        const narrow = await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM tenant.tbl_data_timeseries');
        expect(results.reduce((n, r) => n + r.expectedCells, 0)).toBeGreaterThan(0);
        log.info({ seed: c.seed, narrowRows: Number(narrow.rows[0]!.n), backfill, live: stats, hammered, mismatches: bad.reduce((n, b) => n + b.mismatches, 0) }, 'race converged');
      } finally {
        if (!stopped) {
          await pivot.stop().catch(() => undefined);
          await capture.stop().catch(() => undefined);
        }
        await admin(stack, (a) => a.deleteTopics([capture.topic, dlq])).catch(() => undefined);
      }
    });
  }
});
