import { afterAll, describe, expect, inject, it } from 'vitest';
import { BackfillError, loadChunks, readShipStatsSampled, runBackfill } from '@fleetpivot/backfill';
import { fillBlockProblem, fillChanges, type Change } from '@fleetpivot/events';
import { startCapture } from '@fleetpivot/source-pg';
import { createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { freePort } from '@fleetpivot/stack';
import { testTransport } from '@fleetpivot/testing';
import { changeCount, readTopic, sleep } from '../capture/helpers.ts';
import { backfillEnv, insertRows, keyOf, NARROW_KEYED_SQL, readWholeTopic, rowsOf, waitForSlot, type BackfillEnv } from './helpers.ts';

const stack = inject('stack');
const envs: BackfillEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});
async function env(label: string, o: Parameters<typeof backfillEnv>[2] = {}): Promise<BackfillEnv> {
  const e = await backfillEnv(stack, label, o);
  envs.push(e);
  return e;
}
async function failure(p: Promise<unknown>): Promise<BackfillError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(BackfillError);
  return err as BackfillError;
}

describe('backfill preflight', () => {
  it('refuses without the capture slot, topic, table or columns, naming the problem', async () => {
    const e = await env('bf_pre', { slot: false, topic: false });
    let err = await failure(runBackfill(e.options()));
    expect(err.code).toBe('slot_missing');
    expect(err.message).toMatch(/start the capture service first/);
    await e.db.pool.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [e.slot]);
    err = await failure(runBackfill(e.options()));
    expect(err.code).toBe('topic_missing');
    err = await failure(runBackfill(e.options({ sourceTable: { schema: 'tenant', table: 'nope' } })));
    expect([err.code, err.message]).toEqual(['source_missing', expect.stringMatching(/tenant\.nope does not exist/)]);
    await e.db.pool.query('ALTER TABLE tenant.tbl_data_timeseries DROP COLUMN bool_v, DROP COLUMN str_v');
    err = await failure(runBackfill(e.options()));
    expect([err.code, err.message]).toEqual(['columns_missing', expect.stringMatching(/lacks column\(s\) str_v, bool_v/)]);
  });

  it('names a source problem at once while Kafka is unreachable', async () => {
    // The Kafka connections start beside the source's checks (run.ts); a producer still retrying an absent broker
    // (5 s of kafkajs retries, measured) must not hold up the answer.
    const e = await env('bf_nokafka');
    const started = performance.now();
    const err = await failure(runBackfill(e.options({ kafkaBrokers: [`127.0.0.1:${await freePort()}`], sourceTable: { schema: 'tenant', table: 'nope' } })));
    expect(err.code).toBe('source_missing');
    expect(performance.now() - started).toBeLessThan(2_000); // ~60 ms here; waiting on the producer took 5 s
  });

  it('backfills a table without a primary key, saying what UPDATE/DELETE capture needs', async () => {
    const e = await env('bf_nopk', { primaryKey: false });
    const result = await runBackfill(e.options());
    expect(result).toMatchObject({ rows: 0, chunksTotal: 0 });
    expect(result.warnings.join()).toMatch(/no primary key and REPLICA IDENTITY DEFAULT.*ALTER TABLE "tenant"."tbl_data_timeseries" REPLICA IDENTITY FULL/);
    expect(result.warnings.join()).toMatch(/no valid btree index on \(ship_id, data_channel_id, created_time\)/);
  });
});

describe('backfill chunking', () => {
  it('plans chunks smallest ship first, covers every row exactly once, records the job', async () => {
    const e = await env('bf_plan');
    let rows = (await insertRows(e, 3, 4, 500)) + (await insertRows(e, 1, 2, 100, 'SMALL'));
    // Hostile channel ids: chunks bounded in time name the ship's channels in their SQL (the primary key's walk).
    const hostile = [`a'b`, '{x,"y"}\\', `'); DROP TABLE tenant.tbl_data_timeseries; --`, '船🚢', '', 'ANY(ARRAY[1])'];
    const inserted = await e.db.pool.query(
      `INSERT INTO tenant.tbl_data_timeseries SELECT 'IMO2', ch, '2024-01-01'::timestamptz + make_interval(secs => i * 15), 'Decimal', i FROM unnest($1::text[]) ch, generate_series(0, 499) i`,
      [hostile],
    );
    rows += inserted.rowCount ?? 0;
    const registry = createRegistry('backfill-test');
    const result = await runBackfill(e.options({ chunkRows: 700, parallelism: 3, planBucketSeconds: 3600, batchMaxChanges: 300 }), { registry });
    expect(result.warnings).toEqual([]);
    expect(result).toMatchObject({ rows, jobRows: rows, resumed: false });
    const chunks = await loadChunks(e.db.pool, result.jobId);
    expect(chunks.length).toBeGreaterThan(6);
    expect(chunks[0]!.shipId).toBe('SMALL1');
    expect(chunks.every((c) => c.status === 'done' && c.attempts === 1)).toBe(true);
    expect(chunks.reduce((n, c) => n + (c.rows ?? 0), 0)).toBe(rows);
    for (const c of chunks) expect(c.rows).toBeLessThanOrEqual(1400);
    const all = await readWholeTopic(stack, e.topic);
    const seen = new Map<string, number>();
    for (const r of all) {
      expect(r.key).toBe(r.batch.ship_id);
      expect(r.batch.source).toMatchObject({ kind: 'BACKFILL', job_id: result.jobId });
      // Columnar: all these rows are regular, so every message is a block of at most 300 cells.
      expect(r.batch.changes).toEqual([]);
      expect(fillBlockProblem(r.batch.fills!)).toBeNull();
      expect(rowsOf(r.batch).length).toBeLessThanOrEqual(300);
      for (const c of rowsOf(r.batch)) {
        expect(c.op).toBe('BACKFILL');
        const k = keyOf(r.batch.ship_id, c.data_channel_id, c.created_time_us);
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(rows);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const metrics = await registry.metrics();
    expect(metrics).toContain(`fleetpivot_backfill_rows_total{job="${result.jobId}",service="backfill-test"} ${rows}`);
    expect(metrics).toMatch(/fleetpivot_backfill_progress_ratio\{ship="IMO3",service="backfill-test"\} 1/);
    // Same scope again: the finished job is not resumed; a new job is planned. A time-scoped job stays inside its range.
    const again = await runBackfill(e.options({ ships: ['IMO2'], from: '2024-01-01T00:30:00Z', to: '2024-01-01T01:00:00Z' }));
    expect(again.rows).toBe((4 + hostile.length) * 120);
    const job = await e.db.pool.query<{ scope: unknown; status: string }>('SELECT scope, status FROM fleetpivot.backfill_jobs WHERE id = $1', [again.jobId]);
    expect(job.rows[0]).toEqual({ status: 'done', scope: { ships: ['IMO2'], from: '2024-01-01 00:30:00.000000+00', to: '2024-01-01 01:00:00.000000+00' } });
  });
});

describe('backfill sampled plan', () => {
  it('plans a large table from a sample, every ship listed exactly through the index, NULL times included', async () => {
    const e = await env('bf_sampled', { primaryKey: false });
    await e.db.pool.query('CREATE INDEX ON tenant.tbl_data_timeseries (ship_id, data_channel_id, created_time)');
    const big = await insertRows(e, 1, 20, 5000, 'BIG');
    // One-row ships a ~10 % sample most likely misses, a NULL ship and a NULL time, added last (the last pages).
    const odd = [`tiny'); --`, null, 'NT'] as const;
    await e.db.pool.query(
      `INSERT INTO tenant.tbl_data_timeseries (ship_id, data_channel_id, created_time, value_format, double_v)
       VALUES ($1, 'c', '2024-01-02', 'Decimal', 1), ($2, 'c', '2024-01-02', 'Decimal', 2), ($3, 'c', NULL, 'Decimal', 3)`,
      [...odd],
    );
    const table = { schema: 'tenant', table: 'tbl_data_timeseries' };
    const client = await e.db.pool.connect();
    try {
      const pages = Number((await client.query<{ n: string }>(`SELECT (pg_relation_size('tenant.tbl_data_timeseries') / 8192)::text AS n`)).rows[0]!.n);
      expect(pages).toBeGreaterThan(500);
      const stats = (await readShipStatsSampled(client, table, 86_400_000_000n, 100))!;
      expect(stats.map((s) => String(s.shipId)).sort()).toEqual(['BIG1', 'NT', 'null', `tiny'); --`]);
      expect(stats.every((s) => s.estimated && s.mayHaveNullTimes)).toBe(true);
      const bigRows = stats.find((s) => s.shipId === 'BIG1')!.buckets.reduce((n, b) => n + b.rows, 0);
      expect(bigRows).toBeGreaterThan(big * 0.6);
      expect(bigRows).toBeLessThan(big * 1.4);
      // No larger than the sample: the exact scan.
      expect(await readShipStatsSampled(client, table, 86_400_000_000n, pages)).toBeNull();
    } finally {
      client.release();
    }
    const result = await runBackfill(e.options({ planSamplePages: 100, chunkRows: 30_000 }));
    expect(result.rows).toBe(big + odd.length);
    expect(result.sampledPlan).toBe(true);
    const chunks = await loadChunks(e.db.pool, result.jobId);
    expect(chunks.filter((c) => c.nullTime).map((c) => String(c.shipId)).sort()).toEqual(['BIG1', 'NT', 'null', `tiny'); --`]);
    expect(chunks.filter((c) => c.nullTime).map((c) => c.rows)).toEqual(expect.arrayContaining([1, 0, 0, 0]));
    expect(chunks.filter((c) => c.shipId === 'BIG1' && !c.nullTime).length).toBeGreaterThan(1);
    const seen = new Set<string>();
    for (const r of await readWholeTopic(stack, e.topic)) {
      for (const c of rowsOf(r.batch)) seen.add(keyOf(r.batch.ship_id, c.data_channel_id, c.created_time_us));
    }
    expect(seen.size).toBe(big + odd.length);
    expect(seen.has(keyOf('NT', 'c', null))).toBe(true);
    // created_time NOT NULL (the seed's primary key makes it so): no NULL-time chunks to plan.
    await e.db.pool.query('DELETE FROM tenant.tbl_data_timeseries WHERE created_time IS NULL');
    await e.db.pool.query('ALTER TABLE tenant.tbl_data_timeseries ALTER created_time SET NOT NULL');
    const notNull = await runBackfill(e.options({ planSamplePages: 100, chunkRows: 30_000, newJob: true }));
    expect(notNull.rows).toBe(big + odd.length - 1);
    expect((await loadChunks(e.db.pool, notNull.jobId)).filter((c) => c.nullTime)).toEqual([]);
  });
});

describe('backfill values', () => {
  // `grouped`: columnar chunks read grouped by channel (chunk-read.ts), which needs the (ship, channel, time) index;
  // a plain index rather than the primary key, so NULL channels and times stay possible.
  // `sampled`: grouped, and planned from a sample (sampled-stats.ts): every ship, even of one row, and every NULL time still arrives.
  it.each(['columnar', 'changes', 'grouped', 'sampled'] as const)('encodes every row exactly as the live capture does (%s), hostile rows, NULL ship and NULL time included', async (mode) => {
    const encoding = mode === 'changes' ? 'changes' : 'columnar';
    const e = await env(`bf_values_${mode}`, { primaryKey: false, slot: false, topic: false });
    await e.db.pool.query('ALTER TABLE tenant.tbl_data_timeseries REPLICA IDENTITY FULL');
    const grouped = mode === 'grouped' || mode === 'sampled';
    if (grouped) await e.db.pool.query('CREATE INDEX ON tenant.tbl_data_timeseries (ship_id, data_channel_id, created_time)');
    const capture = await startCapture(
      { sourceUrl: e.db.url, slotName: e.slot, publicationName: e.slot, topicPrefix: e.prefix, topicPartitions: 3, statusIntervalMs: 200 },
      { transport: testTransport(stack), logger: silentLogger(), registry: createRegistry('capture-test') },
    );
    const ins = `INSERT INTO tenant.tbl_data_timeseries VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
    const T = '2024-05-01 10:00:00.123457+00';
    const rows: unknown[][] = [
      ['A', 'dec', T, 'Decimal', 0.1, null, null, null],
      ['A', 'int', T, 'Integer', null, '9223372036854775807', null, null],
      ['A', 'neg', T, 'Integer', null, '-9223372036854775808', null, null],
      ['A', 'nan', T, 'Decimal', 'NaN', null, null, null],
      ['A', 'inf', 'infinity', 'Decimal', '-Infinity', null, null, null],
      ['A', 'old', '0001-01-01 00:00:00+00', 'Boolean', null, null, null, false],
      ['A', 'bc', '4713-01-01 00:00:00.000001+00 BC', 'Boolean', null, null, null, true],
      ['A', 'contradiction', T, 'Integer', 2.5, null, 'not a number', true],
      ['A', 'extra', T, 'Decimal', 1.5, '7', 'also text', true],
      ['A', 'unknown', T, 'Float128', 1, 2, '3', false],
      ['A', 'nulls', T, null, null, null, null, null],
      ['A', 'nulltime', null, 'String', null, null, 'when?', null],
      ['A', '\t\n\\ 船 🚢 "quoted"', T, 'String', null, null, `it's \\N \t\n ${'x'.repeat(100_000)}`, null],
      [null, 'noship', T, 'Decimal', 1, null, null, null],
      [`x'); DROP TABLE tenant.tbl_data_timeseries; --`, 'sql', T, 'Decimal', 2, null, null, null],
      ['A', null, T, 'Decimal', 3, null, null, null],
    ];
    const total = rows.length + 5000;
    try {
      for (let i = 0; i < 600 && capture.state() !== 'active'; i++) await sleep(50);
      expect(capture.state()).toBe('active');
      await waitForSlot(e.db.pool, e.slot);
      for (const r of rows) await e.db.pool.query(ins, r);
      // A ship with 5,000 channels.
      await e.db.pool.query(`INSERT INTO tenant.tbl_data_timeseries SELECT 'WIDE', '/wide/' || c, $1, 'Decimal', c FROM generate_series(1, 5000) c`, [T]);
      expect(changeCount(await readTopic(stack, e.topic, (a) => changeCount(a) >= total, 120_000))).toBeGreaterThanOrEqual(total);
      const result = await runBackfill(e.options({ chunkRows: 1000, encoding, groupedMinRowsPerChannel: grouped ? 0 : Infinity, planSamplePages: mode === 'sampled' ? 1 : 0 }));
      expect(result.rows).toBe(total);
      expect(result.sampledPlan).toBe(mode === 'sampled');
      // Sampled: a NULL-time chunk for every ship (the exact plan makes one only for ship A, which has such a row).
      const nullTimeChunks = (await loadChunks(e.db.pool, result.jobId)).filter((c) => c.nullTime).length;
      expect(nullTimeChunks).toBe(mode === 'sampled' ? 4 : 1);
    } finally {
      await capture.stop();
    }
    const all = await readWholeTopic(stack, e.topic);
    const live = new Map<string, Change>();
    const backfill = new Map<string, Change>();
    const inBlock = new Set<string>();
    for (const r of all) {
      if (r.batch.fills) {
        expect(fillBlockProblem(r.batch.fills)).toBeNull();
        for (const c of fillChanges(r.batch.fills)) inBlock.add(keyOf(r.batch.ship_id, c.data_channel_id, c.created_time_us));
      }
      for (const c of rowsOf(r.batch)) {
        const k = keyOf(r.batch.ship_id, c.data_channel_id, c.created_time_us);
        const into = c.op === 'BACKFILL' ? backfill : live;
        expect(into.has(k)).toBe(false);
        into.set(k, c);
      }
    }
    const ops = new Map<string, number>();
    for (const r of all) for (const c of rowsOf(r.batch)) ops.set(`${r.batch.source.kind}:${c.op}`, (ops.get(`${r.batch.source.kind}:${c.op}`) ?? 0) + 1);
    expect(Object.fromEntries(ops)).toEqual({ 'LIVE:INSERT': total, 'BACKFILL:BACKFILL': total });
    // Columnar: rows a block cannot say (contradiction, unknown, nulls, nulltime, NULL channel) and NULL-ship
    // chunks travel as changes; every other row is a block cell.
    expect(inBlock.size).toBe(encoding === 'columnar' ? total - 6 : 0);
    // The two paths agree field for field: the pivot cannot tell a backfilled row from a captured one. A block
    // cell carries only the value its format names (the one the pivot reads).
    expect(backfill.size).toBe(total);
    expect(live.size).toBe(backfill.size);
    const only = (c: Change): Change => ({ ...c, double_v: c.value_format === 'Decimal' ? c.double_v : null, long_v: c.value_format === 'Integer' ? c.long_v : null, str_v: c.value_format === 'String' ? c.str_v : null, bool_v: c.value_format === 'Boolean' ? c.bool_v : null });
    for (const [k, c] of backfill) {
      const l = live.get(k)!;
      expect({ ...c, op: 'INSERT' }, k.slice(0, 200)).toEqual(inBlock.has(k) ? only(l) : l);
    }
    // And both equal the narrow table, read back as exact text by PostgreSQL itself.
    const narrow = await e.db.pool.query<{ ship_id: string | null; data_channel_id: string | null; us: string | null; value_format: string | null; double_v: string | null; long_v: string | null; str_v: string | null; bool_v: boolean | null }>(NARROW_KEYED_SQL);
    const valueKey = { Decimal: 'd', Integer: 'l', String: 's', Boolean: 'b' } as const;
    const float = (v: number | null) => (v === null ? null : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));
    for (const n of narrow.rows) {
      const c = backfill.get(keyOf(n.ship_id, n.data_channel_id, n.us));
      expect(c, JSON.stringify(n).slice(0, 200)).toBeDefined();
      const want = { f: n.value_format, d: n.double_v, l: n.long_v, s: n.str_v, b: n.bool_v };
      const got = { f: c!.value_format, d: float(c!.double_v), l: c!.long_v === null ? null : String(c!.long_v), s: c!.str_v, b: c!.bool_v };
      if (inBlock.has(keyOf(n.ship_id, n.data_channel_id, n.us))) {
        const named = valueKey[n.value_format as keyof typeof valueKey];
        expect(got).toEqual({ f: want.f, d: null, l: null, s: null, b: null, [named]: want[named] });
      } else expect(got).toEqual(want);
    }
  });
});
