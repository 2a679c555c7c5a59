import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { createLogger, createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { testTransport, uniqueName } from '@fleetpivot/testing';
import { startCapture, type CaptureHandle } from '@fleetpivot/source-pg';
import type { Change } from '@fleetpivot/events';
import { changeCount, readTopic, sleep } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
let capture: CaptureHandle | undefined;

beforeAll(async () => {
  db = await createTestDatabase(stack, 'capture');
  await createNarrowTable(db.pool, { primaryKey: true });
});
afterAll(async () => {
  await capture?.stop();
  await db?.drop();
});

async function start(extra: Partial<Parameters<typeof startCapture>[0]> = {}): Promise<CaptureHandle> {
  const name = uniqueName('cap');
  const handle = await startCapture(
    { sourceUrl: db.url, slotName: name, publicationName: name, topicPrefix: name, topicPartitions: 3, statusIntervalMs: 200, heartbeatIntervalMs: 500, ...extra },
    { transport: testTransport(stack), logger: process.env.CAPTURE_TEST_LOG ? createLogger({ service: 'capture-test', level: 'debug' }) : silentLogger(), registry: createRegistry('capture-test') },
  );
  for (let i = 0; i < 200 && handle.state() !== 'active'; i++) await sleep(50);
  expect(handle.state()).toBe('active');
  return handle;
}

const T = '2024-05-01 10:00:00.123456+00';
const T_US = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000 + 123456;
const HOSTILE = '\u202E\u0301🚢 ' + 'é'.repeat(240); // > 500 bytes, RTL override, combining mark, astral
const SQLISH = `x'); DROP TABLE tenant.tbl_data_timeseries; --`;

describe('capture, in process, against real PostgreSQL and Kafka', () => {
  it('delivers inserts, late rows, updates, key moves and deletes in per-ship commit order with exact values', async () => {
    capture = await start();
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    const ins = `INSERT INTO tenant.tbl_data_timeseries VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
    const big = 'b'.repeat(1024 * 1024);
    await q('BEGIN');
    await q(ins, ['A', 'dec', T, 'Decimal', 1.5, null, null, null]);
    await q(ins, ['A', 'int', T, 'Integer', null, '9223372036854775807', null, null]);
    await q(ins, ['A', 'str', T, 'String', null, null, big, null]);
    await q(ins, ['A', 'bool', T, 'Boolean', null, null, null, false]);
    await q(ins, ['B', HOSTILE, T, 'Decimal', 'NaN', null, null, null]);
    await q(ins, ['B', 'inf', T, 'Decimal', '-Infinity', null, null, null]);
    await q(ins, ['B', 'weird', T, 'Float128', 2.5, 7, 'both', true]);
    await q(ins, [SQLISH, SQLISH, T, 'Decimal', null, null, null, null]);
    await q('COMMIT');
    await q(ins, ['A', 'dec', '2024-04-30 23:59:59.999999+00', 'Decimal', 0.25, null, null, null]); // late row
    await q(`UPDATE tenant.tbl_data_timeseries SET double_v = 2.5 WHERE ship_id = 'A' AND data_channel_id = 'dec' AND created_time = $1`, [T]);
    await q(`UPDATE tenant.tbl_data_timeseries SET ship_id = 'B' WHERE ship_id = 'A' AND data_channel_id = 'bool'`);
    await q(`DELETE FROM tenant.tbl_data_timeseries WHERE ship_id = 'A' AND data_channel_id = 'int'`);
    const expected = 8 + 1 + 1 + 2 + 1;
    const all = await readTopic(stack, capture.topic, (a) => changeCount(a) >= expected);
    expect(changeCount(all)).toBe(expected);

    const byShip = new Map<string | null, Change[]>();
    for (const r of all) {
      expect(r.key).toBe(r.batch.ship_id);
      expect(r.batch.source.kind).toBe('LIVE');
      byShip.set(r.batch.ship_id, [...(byShip.get(r.batch.ship_id) ?? []), ...r.batch.changes]);
    }
    const a = byShip.get('A') ?? [];
    expect(a.map((c) => `${c.op}:${c.data_channel_id}`)).toEqual([
      'INSERT:dec', 'INSERT:int', 'INSERT:str', 'INSERT:bool', 'INSERT:dec', 'UPDATE:dec', 'DELETE:bool', 'DELETE:int',
    ]);
    expect(a[0]).toMatchObject({ created_time_us: T_US, value_format: 'Decimal', double_v: 1.5, long_v: null, old: null });
    expect(a[1]?.long_v).toBe(9223372036854775807n);
    expect(a[2]?.str_v).toHaveLength(1024 * 1024);
    expect(a[3]?.bool_v).toBe(false);
    expect(a[4]?.created_time_us).toBe(Date.UTC(2024, 4, 1) * 1000 - 1);
    expect(a[5]).toMatchObject({ double_v: 2.5, created_time_us: T_US });
    expect(a[6]?.old).toEqual({ ship_id: 'A', data_channel_id: 'bool', created_time_us: T_US });
    const b = byShip.get('B') ?? [];
    expect(b.map((c) => `${c.op}:${c.data_channel_id === HOSTILE ? 'HOSTILE' : c.data_channel_id}`)).toEqual(['INSERT:HOSTILE', 'INSERT:inf', 'INSERT:weird', 'UPDATE:bool']);
    expect(b[0]?.double_v).toBeNaN();
    expect(b[1]?.double_v).toBe(-Infinity);
    expect(b[2]).toMatchObject({ value_format: 'Float128', double_v: 2.5, long_v: 7, str_v: 'both', bool_v: true });
    expect(b[3]).toMatchObject({ op: 'UPDATE', bool_v: false, old: { ship_id: 'A', data_channel_id: 'bool', created_time_us: T_US } });
    expect(byShip.get(SQLISH)?.[0]).toMatchObject({ data_channel_id: SQLISH, double_v: null });

    // The slot's confirmed position moves past everything once Kafka has it.
    const { rows } = await q(`SELECT pg_current_wal_lsn()::text AS now`);
    for (let i = 0; i < 100; i++) {
      const r = await q(`SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $2`, [rows[0].now, capture.topic.split('.')[0]]);
      if (r.rows[0]?.ok) break;
      await sleep(100);
    }
    const done = await q(`SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $2`, [rows[0].now, capture.topic.split('.')[0]]);
    expect(done.rows[0]?.ok).toBe(true);
  });

  it('sends a TRUNCATE to every partition', async () => {
    await db.pool.query('TRUNCATE tenant.tbl_data_timeseries');
    const all = await readTopic(stack, capture!.topic, (a) => a.filter((r) => r.batch.changes[0]?.op === 'TRUNCATE').length >= 3);
    const truncates = all.filter((r) => r.batch.changes[0]?.op === 'TRUNCATE');
    expect(truncates.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
    expect(truncates.every((r) => r.batch.ship_id === null)).toBe(true);
    await capture!.stop();
    await capture!.done;
    // Exactly the position we confirmed, not one byte more: repeated status updates must never creep
    // past a commit Kafka has not acknowledged.
    const slot = capture!.topic.split('.')[0];
    const { rows } = await db.pool.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    expect(rows[0]?.lsn).toBe(capture!.confirmedLsn());
    capture = undefined;
  });
});
