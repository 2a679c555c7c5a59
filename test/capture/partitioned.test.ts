import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';
import { createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { startCapture } from '@fleetpivot/source-pg';
import { changeCount, readTopic, sleep } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(stack, 'partitioned');
  await db.pool.query(`CREATE SCHEMA tenant;
    CREATE TABLE tenant.tbl_data_timeseries (ship_id text, data_channel_id text, created_time timestamptz, value_format text,
      double_v double precision, long_v bigint, str_v text, bool_v boolean, PRIMARY KEY (ship_id, data_channel_id, created_time))
      PARTITION BY RANGE (created_time);
    CREATE TABLE tenant.tbl_data_timeseries_2024_01 PARTITION OF tenant.tbl_data_timeseries FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
    CREATE TABLE tenant.tbl_data_timeseries_2024_02 PARTITION OF tenant.tbl_data_timeseries FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');`);
});
afterAll(async () => db?.drop());

describe('a range-partitioned narrow table (monthly partitions, as some sites run it)', () => {
  it('is captured under the parent table name, including a row moving between partitions', async () => {
    const name = uniqueName('part');
    const capture = await startCapture(
      { sourceUrl: db.url, slotName: name, publicationName: name, topicPrefix: name, topicPartitions: 1, statusIntervalMs: 200 },
      { transport: testTransport(stack), logger: silentLogger(), registry: createRegistry('capture-part') },
    );
    try {
      while (capture.state() !== 'active') await sleep(50);
      await db.pool.query(`INSERT INTO tenant.tbl_data_timeseries VALUES ('S', 'a', '2024-01-15', 'Integer', NULL, 1, NULL, NULL), ('S', 'b', '2024-02-15', 'Integer', NULL, 2, NULL, NULL)`);
      await db.pool.query(`UPDATE tenant.tbl_data_timeseries SET created_time = '2024-02-20' WHERE data_channel_id = 'a'`);
      const all = await readTopic(stack, capture.topic, (a) => changeCount(a) >= 4, 30_000);
      const ops = all.flatMap((r) => r.batch.changes.map((c) => `${c.op}:${c.data_channel_id}:${String(c.long_v)}`));
      // A cross-partition UPDATE is a DELETE from one partition and an INSERT into the other in the WAL.
      expect(ops).toEqual(['INSERT:a:1', 'INSERT:b:2', 'DELETE:a:null', 'INSERT:a:1']);
    } finally {
      await capture.stop();
    }
  });
});
