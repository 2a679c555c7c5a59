import { ChangeBatchCodec, changeTopic, fillChanges, type Change, type ChangeBatch } from '@fleetpivot/events';
import type { BackfillOptions } from '@fleetpivot/backfill';
import { createNarrowTable } from '@fleetpivot/simulator';
import type { StackInfo } from '@fleetpivot/stack';
import { createTestDatabase, testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';

/** A database with the narrow table, a logical slot (standing in for the capture's) and the change topic. */
export interface BackfillEnv {
  stack: StackInfo;
  db: TestDatabase;
  prefix: string;
  slot: string;
  topic: string;
  options(extra?: Partial<BackfillOptions>): BackfillOptions;
  close(): Promise<void>;
}

export async function backfillEnv(stack: StackInfo, label: string, o: { slot?: boolean; topic?: boolean; primaryKey?: boolean; partitions?: number } = {}): Promise<BackfillEnv> {
  const db = await createTestDatabase(stack, label);
  await createNarrowTable(db.pool, { primaryKey: o.primaryKey ?? true });
  const prefix = uniqueName(label);
  const slot = prefix;
  if (o.slot ?? true) await db.pool.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  const topic = changeTopic(prefix);
  if (o.topic ?? true) await withAdmin(stack, (a) => a.ensureTopic({ topic, partitions: o.partitions ?? 3, config: { 'max.message.bytes': '16777216' } }));
  return {
    stack,
    db,
    prefix,
    slot,
    topic,
    options: (extra = {}) => ({
      sourceUrl: db.url,
      targetUrl: db.url,
      kafkaBrokers: stack.kafkaBrokers,
      topicPrefix: prefix,
      slotName: slot,
      progress: 'none',
      ...extra,
    }),
    async close() {
      await withAdmin(stack, (a) => a.deleteTopics([topic])).catch(() => undefined);
      await db.drop();
    },
  };
}

async function withAdmin<T>(stack: StackInfo, fn: (a: Awaited<ReturnType<ReturnType<typeof testTransport>['admin']>>) => Promise<T>): Promise<T> {
  const admin = await testTransport(stack).admin();
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** `rows` rows: `ships` ships x `channels` channels, one sample per 15 s from 2024-01-01, Decimal values. */
export async function insertRows(env: BackfillEnv, ships: number, channels: number, samples: number, shipPrefix = 'IMO'): Promise<number> {
  await env.db.pool.query(
    `INSERT INTO tenant.tbl_data_timeseries (ship_id, data_channel_id, created_time, value_format, double_v)
     SELECT $1 || s, '/ch/' || c, timestamptz '2024-01-01 00:00:00+00' + (t * interval '15 seconds') + (s * interval '1 microsecond'), 'Decimal', s * 1000 + c + t / 1000.0
       FROM generate_series(1, $2) s, generate_series(1, $3) c, generate_series(0, $4 - 1) t`,
    [shipPrefix, ships, channels, samples],
  );
  return ships * channels * samples;
}

export const NARROW_KEYED_SQL = `SELECT ship_id, data_channel_id, CASE WHEN isfinite(created_time) THEN (extract(epoch FROM created_time) * 1000000)::numeric(30,0)::text
       WHEN created_time > 'epoch' THEN '9223372036854775807' WHEN created_time < 'epoch' THEN '-9223372036854775808' END AS us,
  value_format, double_v::text AS double_v, long_v::text AS long_v, str_v, bool_v FROM tenant.tbl_data_timeseries`;

export const keyOf = (ship: string | null, channel: string | null, us: unknown) => JSON.stringify([ship, channel, us === null ? null : String(us)]);

/** The narrow rows a message carries: its cell-form changes, then its block's cells (as BACKFILL changes). */
export function rowsOf(batch: ChangeBatch): Change[] {
  return batch.fills ? [...batch.changes, ...fillChanges(batch.fills)] : batch.changes;
}

export interface TopicMessage {
  partition: number;
  offset: number;
  key: string | null;
  batch: ChangeBatch;
}

/**
 * Every message up to each partition's current end, once each: de-duplicated by position and done when
 * every partition's end offset is reached (a rebalance of the reading consumer may redeliver).
 */
export async function readWholeTopic(stack: StackInfo, topic: string, timeoutMs = 120_000): Promise<TopicMessage[]> {
  const transport = testTransport(stack);
  const admin = await transport.admin();
  const ends = await admin.logEndOffsets(topic).finally(() => admin.close());
  const codec = new ChangeBatchCodec();
  const seen = new Map<string, TopicMessage>();
  const next = new Map<number, number>([...ends.keys()].map((p) => [p, 0]));
  const complete = () => [...ends].every(([p, end]) => (next.get(p) ?? 0) >= Number(end));
  if (complete()) return [];
  const consumer = await transport.consumer({ groupId: uniqueName('bf_read'), maxWaitMs: 100 });
  try {
    await consumer.subscribe([topic], true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read only part of ${topic} in ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachBatch: async (b) => {
            for (const m of b.messages) {
              const offset = Number(m.offset);
              seen.set(`${b.partition}:${offset}`, { partition: b.partition, offset, key: m.key ? m.key.toString('utf8') : null, batch: codec.decode(m.value as Buffer, ChangeBatchCodec.versionFromHeaders(m.headers)) });
              next.set(b.partition, Math.max(next.get(b.partition) ?? 0, offset + 1));
            }
            // The adapter leaves the fetch position alone (the pivot seeks past what it applied); so do we.
            consumer.seek({ topic, partition: b.partition, offset: String(next.get(b.partition) ?? 0) });
            if (complete()) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.close();
  }
  return [...seen.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/**
 * Resolves once the slot passed its consistent point. The capture reports 'active' before it creates its
 * slot, so a test writing right after 'active' could write before the slot and never see it captured.
 */
export async function waitForSlot(pool: TestDatabase['pool'], slot: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ ready: boolean }>('SELECT confirmed_flush_lsn IS NOT NULL AS ready FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (rows[0]?.ready) return;
    if (Date.now() > deadline) throw new Error(`slot ${slot} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
