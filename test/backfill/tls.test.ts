import { afterAll, describe, expect, inject, it } from 'vitest';
import { ReadTap, readTapStream, runBackfill } from '@fleetpivot/backfill';
import { createPool, type Pool } from '@fleetpivot/pgkit';
import { verifyAll } from '@fleetpivot/sink-pg';
import { createNarrowTable, loadHistory, startLive } from '@fleetpivot/simulator';
import { silentLogger } from '@fleetpivot/telemetry';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { startPipeline } from '../support/pipeline.ts';
import { startHammer } from './hammer.ts';
import { waitForSlot } from './helpers.ts';

/**
 * The whole migration over TLS. A plain connection's COPY is read off the backfill's own socket (read-tap.ts); a TLS
 * one keeps pg's socket, which TLS reads its records from, and CopyOut reads pg's stream instead: this is the test
 * of that path, and of the capture's replication stream and the pivot's writes over TLS. `sslmode=require` with
 * `uselibpqcompat=true` is libpq's require (encrypted, certificate not checked): node-postgres alone reads
 * `require` as `verify-full` (docs/configuration.md).
 */
const stack = inject('stack');
const dbs: TestDatabase[] = [];
const pools: Pool[] = [];
afterAll(async () => {
  for (const p of pools) await p.end().catch(() => undefined);
  for (const d of dbs) await d.drop();
});

function tlsUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set('sslmode', 'require');
  u.searchParams.set('uselibpqcompat', 'true');
  return u.toString();
}

async function serverOffersTls(pool: Pool): Promise<boolean> {
  return (await pool.query<{ ssl: string }>('SHOW ssl')).rows[0]?.ssl === 'on';
}

/** Every connection of these applications to this test's database (other test files run the same services at once), and whether it was TLS (sampled while they run). */
function watchConnections(pool: Pool, applications: readonly string[]): { stop(): Promise<Map<string, Set<boolean>>> } {
  const seen = new Map<string, Set<boolean>>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await pool.query<{ app: string; ssl: boolean }>('SELECT a.application_name AS app, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = ANY($1) AND a.datname = current_database()', [applications]);
      for (const r of rows) (seen.get(r.app) ?? seen.set(r.app, new Set()).get(r.app)!).add(r.ssl);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

// The local cluster offers TLS (packages/stack); a server given by the environment may not, and then there is
// nothing to connect to over TLS.
const db = await createTestDatabase(stack, 'tls');
dbs.push(db);
const tls = await serverOffersTls(db.pool);
if (stack.local.postgres && !tls) throw new Error('the local cluster should offer TLS (ssl = on, packages/stack/src/postgres.ts)');

describe.runIf(tls)('the migration over TLS', () => {
  it("reads the chunks off pg's TLS stream, not the read tap, and converges exactly with live writes and capture over TLS", { timeout: 300_000 }, async () => {
    const url = tlsUrl(db.url);
    // The backfill's source pool: over TLS its socket is pg's own (no tap), and the session really is encrypted.
    const probe = createPool({ connectionString: url, applicationName: 'tls-probe', stream: readTapStream });
    pools.push(probe);
    const client = await probe.connect();
    try {
      expect(ReadTap.of((client as unknown as { connection: { stream: unknown } }).connection.stream)).toBeUndefined();
      expect((await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]?.ssl).toBe(true);
    } finally {
      client.release();
    }

    await createNarrowTable(db.pool, { primaryKey: true });
    const fleet = { seed: 11, ships: 8, channels: 40 };
    const history = await loadHistory(db.pool, { ...fleet, rows: 120_000, endTime: new Date('2024-06-01T00:00:00Z') });
    const target = createPool({ connectionString: url, applicationName: 'tls-pivot', max: 8 });
    pools.push(target);
    const pipeline = await startPipeline(stack, db, 'tls', silentLogger(), { sourceUrl: url, targetPool: target });
    const prefix = pipeline.prefix;
    try {
      await waitForSlot(db.pool, prefix);
      const watch = watchConnections(db.pool, ['fleetpivot-backfill', 'fleetpivot-capture', 'tls-pivot']);
      const live = startLive(db.pool, { ...fleet, history, intervalMs: 250, batchMs: 60_000, updateRate: 0.02, deleteRate: 0.01, lateRate: 0.05, newShipRate: 0.02, newChannelRate: 0.02, logger: silentLogger() });
      const hammer = startHammer(db.pool, fleet.seed);
      // Small chunks, some read grouped by channel and some row by row (100 rows per channel and chunk on average,
      // around the threshold), rate-limited to ~4 s so the live writes and the hammer overlap the reads.
      const backfill = await runBackfill({ sourceUrl: url, targetUrl: url, kafkaBrokers: stack.kafkaBrokers, topicPrefix: prefix, slotName: prefix, chunkRows: 4_000, parallelism: 2, rowsPerSecond: 30_000, planBucketSeconds: 300, progress: 'none', groupedMinRowsPerChannel: 100 });
      const hammered = await hammer.stop();
      const stats = await live.stop();
      expect(backfill.jobRows).toBeGreaterThanOrEqual(100_000);
      expect(hammered.updated + hammered.deleted).toBeGreaterThan(0);
      expect(stats.ticks).toBeGreaterThan(3);
      await pipeline.drain();
      const seen = await watch.stop();
      await pipeline.stop();
      // Every connection of the three was TLS, the replication stream included (it runs as fleetpivot-capture).
      expect(Object.fromEntries([...seen].map(([app, ssl]) => [app, [...ssl]]))).toEqual({ 'fleetpivot-backfill': [true], 'fleetpivot-capture': [true], 'tls-pivot': [true] });
      const results = await verifyAll(db.pool, { schema: 'tenant', table: 'tbl_data_timeseries' });
      expect(results.filter((r) => r.mismatches > 0 || r.expectedCells !== r.actualCells).map((r) => ({ ship: r.shipId, mismatches: r.mismatches, sample: r.sample.slice(0, 3) }))).toEqual([]);
      expect(results.reduce((n, r) => n + r.expectedCells, 0)).toBeGreaterThan(100_000);
    } finally {
      await pipeline.stop();
    }
  });
});
