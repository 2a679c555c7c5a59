import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { createLogger, createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { startCapture, type CaptureOptions } from '@fleetpivot/source-pg';
import { changeCount, readTopic, sleep } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(stack, 'nokey');
  await createNarrowTable(db.pool, { primaryKey: false });
});
afterAll(async () => db?.drop());

const deps = () => ({ transport: testTransport(stack), logger: process.env.CAPTURE_TEST_LOG ? createLogger({ service: 'capture-test', level: 'debug' }) : silentLogger(), registry: createRegistry('capture-preflight') });
const options = (extra: Partial<CaptureOptions> = {}): CaptureOptions => {
  const name = uniqueName('pf');
  return { sourceUrl: db.url, slotName: name, publicationName: name, topicPrefix: name, topicPartitions: 1, statusIntervalMs: 200, ...extra };
};

describe('a narrow table without a primary key', () => {
  it('is refused with the exact statement to run, and nothing is created', async () => {
    const o = options();
    await expect(startCapture(o, deps())).rejects.toThrow(
      /ALTER TABLE tenant\.tbl_data_timeseries REPLICA IDENTITY FULL;[\s\S]*ADD PRIMARY KEY \(ship_id, data_channel_id, created_time\)[\s\S]*insertOnly/,
    );
    const { rowCount } = await db.pool.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [o.publicationName]);
    expect(rowCount).toBe(0);
  });

  it('is captured insert-only when chosen explicitly, without breaking the fleet’s own UPDATE/DELETE', async () => {
    const capture = await startCapture(options({ insertOnly: true }), deps());
    try {
      while (capture.state() !== 'active') await sleep(50);
      await db.pool.query(`INSERT INTO tenant.tbl_data_timeseries VALUES ('S', 'c', '2024-01-01', 'Integer', NULL, 1, NULL, NULL)`);
      // A publication that published updates would make these fail ("cannot update table ... replica identity").
      await db.pool.query(`UPDATE tenant.tbl_data_timeseries SET long_v = 2`);
      await db.pool.query(`DELETE FROM tenant.tbl_data_timeseries`);
      await db.pool.query(`INSERT INTO tenant.tbl_data_timeseries VALUES ('S', 'c', '2024-01-02', 'Integer', NULL, 3, NULL, NULL)`);
      const all = await readTopic(stack, capture.topic, (a) => changeCount(a) >= 2, 30_000);
      expect(all.flatMap((r) => r.batch.changes.map((c) => `${c.op}:${String(c.long_v)}`))).toEqual(['INSERT:1', 'INSERT:3']);
    } finally {
      await capture.stop();
    }
  });
});
