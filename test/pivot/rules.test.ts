import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '@fleetpivot/pgkit';
import { pauseShips, resumeShips, WideSink } from '@fleetpivot/sink-pg';
import { reduceBatches } from '@fleetpivot/pivot';
import { buildFillBlock, type ChangeBatch, type Long } from '@fleetpivot/events';
import { testTransport } from '@fleetpivot/testing';
import { applyNarrow, batchOf, type NarrowOp } from './narrow-model.ts';
import { encode, expectExact, pivotEnv, produce, runPivot, waitApplied, type PivotEnv } from './harness.ts';

const stack = inject('stack');
const envs: PivotEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});
const T = (i: number) => 1_700_000_000_000_000n + BigInt(i) * 15_000_000n;
const ins = (ship: string, channel: string, i: number, value: number): NarrowOp => ({ op: 'INSERT', ship, channel, timeUs: T(i), format: 'Decimal', value });

describe('pivot rules', () => {
  it('gives hostile ship and channel ids their own safe tables and columns', async () => {
    const env = await pivotEnv(stack, 'hostile', 2);
    envs.push(env);
    const long = 'L'.repeat(70);
    const ships = ['"; DROP TABLE tenant.tbl_data_timeseries; --', "Robert'); DROP TABLE x;--", 'ÄÖÜ-船-🚢', 's'.repeat(500), 'Temp', 'temp', `${long}a`, `${long}b`, 'H', 'H_part2'];
    const channels = ['created_time', '_overflow', 'xmin', '__proto__', 'a"b', 'semi;colon', '船'.repeat(40), 'c'.repeat(500), 'Temp', 'temp', `${long}x`, `${long}y`, ''];
    const ops = ships.map((ship, s) => channels.map((channel, c) => ins(ship, channel, s, c + 0.5)));
    for (const tx of ops) await applyNarrow(env.db.pool, tx);
    await produce(env, ops.map((tx) => encode(env, batchOf(tx[0]!.ship, tx))));
    // A tiny column budget forces part tables, so 'H' part 2 and ship 'H_part2' meet on one name.
    const pivot = await runPivot(env, { budget: { maxColumns: 4, maxBytes: 7_000 } });
    await waitApplied(env).finally(() => pivot.stop());
    await expectExact(env);
    const perShip = await env.db.pool.query<{ n: number; names: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT (table_name, column_name))::int AS names FROM fleetpivot.channel_columns GROUP BY ship_id',
    );
    expect(perShip.rows).toHaveLength(ships.length);
    for (const r of perShip.rows) expect(r).toEqual({ n: channels.length, names: channels.length });
    const narrow = await env.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM tenant.tbl_data_timeseries');
    expect(Number(narrow.rows[0]!.n)).toBe(ships.length * channels.length); // nothing was dropped
  });

  it('parks poison messages and changes, and the partition moves on', async () => {
    const env = await pivotEnv(stack, 'poison', 1);
    envs.push(env);
    const good = [ins('S1', 'a', 1, 1), ins('S1', 'b', 1, 2)];
    await applyNarrow(env.db.pool, good);
    const unknown = { ...batchOf('S1', [ins('S1', 'c', 1, 3)]) };
    unknown.changes[0]!.value_format = 'Float128';
    const nullChannel = batchOf('S1', [ins('S1', 'x', 2, 3)]);
    nullChannel.changes[0]!.data_channel_id = null;
    const truncate = batchOf('S1', []);
    truncate.changes.push({ op: 'TRUNCATE', data_channel_id: null, created_time_us: null, value_format: null, double_v: null, long_v: null, str_v: null, bool_v: null, old: null });
    await produce(env, [
      { key: Buffer.from('S1'), value: Buffer.from('not avro at all \u0000\u00ff') },
      encode(env, unknown),
      encode(env, nullChannel),
      encode(env, truncate),
      encode(env, batchOf(null as unknown as string, [ins('S1', 'z', 1, 1)])),
      encode(env, { ...batchOf('S1', []), fills: { ...buildFillBlock([{ channel: 'q', timeUs: 1, value: { format: 'Decimal', value: 1 } }]), times_us: Buffer.alloc(5) } }),
      encode(env, batchOf('S1', good)),
    ]);
    const pivot = await runPivot(env);
    await waitApplied(env).finally(() => pivot.stop());
    await expectExact(env);
    const dead = await env.db.pool.query<{ reason: string; kafka_offset: string }>('SELECT reason, kafka_offset::text FROM fleetpivot.dead_letters ORDER BY kafka_offset');
    expect(dead.rows.map((r) => [r.reason, r.kafka_offset])).toEqual([
      ['decode_failed', '0'],
      ['unknown_value_format', '1'],
      ['null_channel_id', '2'],
      ['truncate_not_mirrored', '3'],
      ['null_ship_id', '4'],
      ['invalid_fill_block', '5'],
    ]);
    const admin = await testTransport(stack).admin();
    const dlqEnd = await admin.logEndOffsets(env.dlq.topic).finally(() => admin.close());
    expect(dlqEnd.get(0)).toBe('6');
    const metrics = await pivot.registry.metrics();
    expect(metrics).toMatch(/fleetpivot_pivot_parked_total\{reason="decode_failed",service="pivot"\} 1/);
  });

  // The same history as per-cell BACKFILL changes (schema v1's form) and as a columnar block (v2 `fills`).
  const backfillBatch = (ship: string, ops: NarrowOp[], encoding: 'changes' | 'columnar'): ChangeBatch => {
    const batch = batchOf(ship, ops, 'BACKFILL');
    if (encoding === 'changes') return batch;
    const cells = ops.map((o) => ({ channel: o.channel, timeUs: o.timeUs as Long, value: { format: (o as { format: 'Decimal' }).format, value: (o as { value: number }).value } }));
    return { ...batch, changes: [], fills: buildFillBlock(cells) };
  };

  it.each(['changes', 'columnar'] as const)('backfill fills only empty cells that were never deleted live (%s)', async (encoding) => {
    const env = await pivotEnv(stack, `backfill_${encoding}`, 1);
    envs.push(env);
    const bf = (channel: string, value: number | bigint, format = 'Decimal'): NarrowOp => ({ op: 'BACKFILL', ship: 'S', channel, timeUs: T(1), format, value });
    // Values at the edges of each type: they travel to PostgreSQL as binary array elements (columnar) or as text (changes).
    const edges = [bf('g', Number.NaN), bf('h', -Infinity), bf('j', -0), bf('k', 2n ** 63n - 1n, 'Integer'), bf('m', -(2n ** 63n), 'Integer'), bf('q', true as never, 'Boolean'), bf('s', 'a\'b"c{},\\' as never, 'String')];
    const history = [bf('a', 1), { ...bf('f', 2n ** 60n, 'Integer') }, ...edges];
    const live1: NarrowOp[] = [ins('S', 'b', 1, 20), ins('S', 'c', 1, 30), ins('S', 'd', 1, 40), ins('S', 'e', 1, 50), ins('S', 'f', 2, 0.5)];
    const live2: NarrowOp[] = [{ op: 'DELETE', ship: 'S', channel: 'c', timeUs: T(1) }, { op: 'DELETE', ship: 'S', channel: 'd', timeUs: T(1) }, { op: 'DELETE', ship: 'S', channel: 'e', timeUs: T(1) }];
    const live3: NarrowOp[] = [{ ...ins('S', 'd', 1, 41) }];
    // Stale backfill slices, read before the live changes: they must not win.
    const stale = [bf('b', 2), bf('c', 3), bf('d', 4)];
    // Times at the ends of what timestamptz holds: ±infinity and a BC date, live and backfilled, one deleted live.
    const INF = 9223372036854775807n;
    const BC = -210866803200000000n + 86_400_000_000n;
    const edge = (channel: string, timeUs: bigint, value: number): NarrowOp => ({ op: 'BACKFILL', ship: 'S', channel, timeUs, format: 'Decimal', value });
    const edgeHistory = [edge('a', INF, 7), edge('a', -INF - 1n, 8), edge('b', BC, 9), edge('c', BC, 10)];
    const edgeLive: NarrowOp[] = [{ ...ins('S', 'b', 0, 11), timeUs: INF }, { op: 'DELETE', ship: 'S', channel: 'c', timeUs: BC }];
    for (const tx of [history, live1, live2, live3, edgeHistory, edgeLive]) await applyNarrow(env.db.pool, tx);
    const pivot = await runPivot(env);
    try {
      await produce(env, [encode(env, batchOf('S', live1)), encode(env, batchOf('S', live2))]);
      await waitApplied(env);
      // A separate Kafka batch: the tombstones come from the database, not from the in-batch reduction.
      await produce(env, [encode(env, backfillBatch('S', [...stale, bf('e', 5)], encoding))]);
      await waitApplied(env);
      await produce(env, [encode(env, batchOf('S', live3)), encode(env, backfillBatch('S', [bf('d', 4), ...history], encoding))]);
      await waitApplied(env);
      await produce(env, [encode(env, batchOf('S', edgeLive)), encode(env, backfillBatch('S', edgeHistory, encoding))]);
      await waitApplied(env);
    } finally {
      await pivot.stop();
    }
    await expectExact(env);
    const tomb = await env.db.pool.query<{ data_channel_id: string }>('SELECT data_channel_id FROM fleetpivot.cell_tombstones ORDER BY 1');
    expect(tomb.rows.map((r) => r.data_channel_id)).toEqual(['c', 'c', 'e']);
    const ovf = await env.db.pool.query<{ o: unknown }>('SELECT _overflow AS o FROM fleetpivot_wide."tbl_data_timeseries_S" WHERE _overflow IS NOT NULL');
    expect(ovf.rows).toEqual([{ o: { f: { format: 'Integer', value: '1152921504606846976' } } }]);
  });

  it('pausing a ship holds its partition in Kafka; resuming applies everything', async () => {
    const env = await pivotEnv(stack, 'pause', 1);
    envs.push(env);
    const ops = [ins('P', 'a', 1, 1), ins('Q', 'a', 1, 2)];
    await applyNarrow(env.db.pool, ops);
    const pivot = await runPivot(env);
    try {
      await pauseShips(env.db.pool, ['P'], 'test');
      await new Promise((r) => setTimeout(r, 500));
      await produce(env, ops.map((o) => encode(env, batchOf(o.ship, [o]))));
      await new Promise((r) => setTimeout(r, 3_000));
      const none = await env.db.pool.query("SELECT 1 FROM fleetpivot.ship_tables WHERE ship_id IN ('P', 'Q')");
      expect(none.rowCount).toBe(0);
      expect(await pivot.registry.metrics()).toMatch(/fleetpivot_pivot_paused_partitions\{service="pivot"\} 1/);
      await resumeShips(env.db.pool, ['P']);
      await waitApplied(env);
    } finally {
      await pivot.stop();
    }
    await expectExact(env);
  });

  it('two sinks meeting the same new ship and channels at once both succeed without duplicates', async () => {
    const env = await pivotEnv(stack, 'race', 1);
    envs.push(env);
    const pools = [0, 1].map(() => createPool({ connectionString: env.db.url, applicationName: 'race', max: 2 }));
    try {
      const sinks = pools.map((pool) => new WideSink({ pool, budget: { maxColumns: 40, maxBytes: 7_000 } }));
      await Promise.all(sinks.map((s) => s.migrate()));
      for (let round = 0; round < 5; round++) {
        const ops = Array.from({ length: 60 }, (_, c) => ins('R', `ch${round}_${c}`, round, c));
        await applyNarrow(env.db.pool, ops);
        const reduction = reduceBatches([{ batch: batchOf('R', ops), position: { topic: 't', partition: 0, offset: '0' } }]);
        const results = await Promise.all(
          sinks.map((s, i) => s.apply({ group: 'g', topic: 't', partition: i, expectedApplied: BigInt(round) - 1n, lastOffset: BigInt(round), reduction })),
        );
        expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
      }
      const cols = await env.db.pool.query<{ n: number; d: number }>('SELECT count(*)::int AS n, count(DISTINCT data_channel_id)::int AS d FROM fleetpivot.channel_columns');
      expect(cols.rows[0]).toEqual({ n: 300, d: 300 });
      await expectExact(env);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
