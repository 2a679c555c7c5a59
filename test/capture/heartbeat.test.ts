import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { slotLagBytes, startCapture, type CaptureHandle } from '@fleetpivot/source-pg';
import { sleep } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;
let capture: CaptureHandle | undefined;

beforeAll(async () => {
  db = await createTestDatabase(stack, 'heartbeat');
  const c = await db.pool.connect();
  try {
    await createNarrowTable(c, { primaryKey: true });
    await c.query('CREATE TABLE public.other_traffic (id bigserial PRIMARY KEY, pad text)');
  } finally {
    c.release();
  }
});
afterAll(async () => {
  await capture?.stop();
  await db?.drop();
});

describe('heartbeats keep the slot moving while the narrow table is idle', () => {
  it('slot lag stays bounded while other tables take megabytes of WAL', async () => {
    const name = uniqueName('hb');
    const registry = createRegistry('capture-hb');
    capture = await startCapture(
      { sourceUrl: db.url, slotName: name, publicationName: name, topicPrefix: name, topicPartitions: 1, statusIntervalMs: 200, heartbeatIntervalMs: 500 },
      { transport: testTransport(stack), logger: silentLogger(), registry },
    );
    while (capture.state() !== 'active') await sleep(50);
    // A slot nobody reads, for contrast: its lag is all the WAL written.
    const control = uniqueName('hb_control');
    await db.pool.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [control]);
    const lags: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 8_000) {
      await db.pool.query(`INSERT INTO public.other_traffic (pad) SELECT repeat('x', 200) FROM generate_series(1, 2000)`);
      await sleep(100);
      if (Date.now() - started > 2_000) lags.push((await slotLagBytes(db.pool, name)) ?? Infinity);
    }
    const c = await db.pool.connect();
    const controlLag = (await slotLagBytes(c, control)) ?? 0;
    const lag = (await slotLagBytes(c, name)) ?? Infinity;
    await c.query('SELECT pg_drop_replication_slot($1)', [control]);
    c.release();
    const maxLag = Math.max(...lags);
    console.log(`heartbeat test: control slot lag ${controlLag} bytes; capture slot lag max ${maxLag}, final ${lag}`);
    expect(controlLag).toBeGreaterThan(20 * 1024 * 1024);
    expect(maxLag).toBeLessThan(controlLag / 4);
    expect(maxLag).toBeLessThan(12 * 1024 * 1024);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/fleetpivot_capture_heartbeats_total\{service="capture-hb"\} [1-9]/);
    expect(metrics).toMatch(/fleetpivot_capture_slot_lag_bytes\{service="capture-hb"\} \d+/);
  }, 120_000);
});
