import { afterAll, describe, expect, inject, it } from 'vitest';
import { quoteIdent, quoteQualified } from '@fleetpivot/pgkit';
import { usToTimestamp } from '@fleetpivot/sink-pg';
import { batchOf, type NarrowOp } from './narrow-model.ts';
import { encode, expectExact, pivotEnv, produce, runPivot, waitApplied, type PivotEnv } from './harness.ts';

const stack = inject('stack');
let env: PivotEnv | undefined;
afterAll(async () => env?.close());

const CHANNELS = 5_000;
const TIMESTAMPS = 12;

describe('a ship with 5,000 channels', () => {
  it('pivots every channel, all non-null at every timestamp, into part tables with zero errors', async () => {
    env = await pivotEnv(stack, 'wide5000', 1);
    const e = env;
    const formats = ['Decimal', 'Decimal', 'Decimal', 'Integer', 'Boolean', 'String'] as const;
    // Real-looking ids: most are longer than 63 bytes and share long prefixes.
    const channel = (i: number) => `/dnv-v2/vis-3-4a/411.1/C101.31-2/meta/qty-temperature/cnt-exhaust.gas/pos-inlet/${i}`;
    const messages = [];
    for (let t = 0; t < TIMESTAMPS; t++) {
      const timeUs = 1_700_000_000_000_000n + BigInt(t) * 15_000_000n;
      const ops: NarrowOp[] = Array.from({ length: CHANNELS }, (_, i) => {
        const format = formats[i % formats.length]!;
        const value = format === 'Decimal' ? i + t / 8 : format === 'Integer' ? i * 1000 + t : format === 'Boolean' ? (i + t) % 2 === 0 : `v${i}-${t}`;
        return { op: 'INSERT', ship: 'IMO9999999', channel: channel(i), timeUs, format, value };
      });
      await e.db.pool.query(
        `INSERT INTO tenant.tbl_data_timeseries SELECT 'IMO9999999', ch, $1::timestamptz, f, d, l, s, b
         FROM unnest($2::text[], $3::text[], $4::float8[], $5::bigint[], $6::text[], $7::boolean[]) AS u(ch, f, d, l, s, b)`,
        [
          usToTimestamp(timeUs),
          ops.map((o) => o.channel),
          ops.map((o) => (o.op === 'DELETE' ? null : o.format)),
          ops.map((o) => (o.op !== 'DELETE' && o.format === 'Decimal' ? o.value : null)),
          ops.map((o) => (o.op !== 'DELETE' && o.format === 'Integer' ? o.value : null)),
          ops.map((o) => (o.op !== 'DELETE' && o.format === 'String' ? o.value : null)),
          ops.map((o) => (o.op !== 'DELETE' && o.format === 'Boolean' ? o.value : null)),
        ],
      );
      messages.push(encode(e, batchOf('IMO9999999', ops)));
    }
    await produce(e, messages);
    const pivot = await runPivot(e);
    await waitApplied(e, 150_000).finally(() => pivot.stop());
    const metrics = await pivot.registry.metrics();
    expect(metrics).toMatch(/fleetpivot_pivot_apply_errors_total\{service="pivot"\} 0/);
    expect((await e.db.pool.query('SELECT 1 FROM fleetpivot.dead_letters')).rowCount).toBe(0);
    const results = await expectExact(e);
    expect(results[0]!.expectedCells).toBe(CHANNELS * TIMESTAMPS);

    // Every channel is findable through the catalog and each part stays inside PostgreSQL's limits.
    const parts = await e.db.pool.query<{ table_schema: string; table_name: string; column_count: number; byte_budget_used: number }>(
      'SELECT table_schema, table_name, column_count, byte_budget_used FROM fleetpivot.ship_tables ORDER BY part',
    );
    expect(parts.rows.length).toBeGreaterThanOrEqual(5);
    expect(parts.rows.reduce((n, p) => n + p.column_count, 0)).toBe(CHANNELS);
    for (const p of parts.rows) expect(p.column_count <= 1_200 && p.byte_budget_used <= 7_000).toBe(true);
    const cat = await e.db.pool.query<{ data_channel_id: string; table_schema: string; table_name: string; column_name: string }>(
      'SELECT data_channel_id, table_schema, table_name, column_name FROM fleetpivot.channel_columns',
    );
    expect(new Set(cat.rows.map((r) => r.data_channel_id)).size).toBe(CHANNELS);
    const one = cat.rows.find((r) => r.data_channel_id === channel(4_321))!;
    const v = await e.db.pool.query(`SELECT ${quoteIdent(one.column_name)} AS v FROM ${quoteQualified(one.table_schema, one.table_name)} ORDER BY created_time LIMIT 1`);
    expect(v.rows[0]).toEqual({ v: 4_321 });
  });
});
