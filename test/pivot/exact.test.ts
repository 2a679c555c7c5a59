import { afterAll, describe, expect, inject, it } from 'vitest';
import { verifyAll } from '@fleetpivot/sink-pg';
import { batchOf, applyNarrow, NARROW, workload } from './narrow-model.ts';
import { encode, expectExact, pivotEnv, produce, runPivot, waitApplied, type PivotEnv } from './harness.ts';

const stack = inject('stack');
const envs: PivotEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});

describe('pivot converges to the narrow table', () => {
  for (const mode of ['typed', 'text'] as const) {
    it(`inserts, updates, deletes, late rows and format changes (${mode} columns)`, async () => {
      const env = await pivotEnv(stack, `exact_${mode}`);
      envs.push(env);
      const txs = workload(mode === 'typed' ? 7 : 11, ['IMO9074729', 'IMO9225201', "ship'; DROP"], 25, 300);
      for (const tx of txs) await applyNarrow(env.db.pool, tx);
      await produce(env, txs.map((tx) => encode(env, batchOf(tx[0]!.ship, tx))));
      // Text mode also runs with a catalog cache of one channel column: every ship's layout is evicted by the
      // next ship's batch and read back from the catalog, and the result must still be exact.
      const pivot = await runPivot(env, { mode, schema: 'wide', ...(mode === 'text' ? { catalogCacheChannels: 1 } : {}) });
      try {
        await waitApplied(env);
      } finally {
        await pivot.stop();
      }
      const results = await expectExact(env);
      expect(results.reduce((n, r) => n + r.expectedCells, 0)).toBeGreaterThan(100);
      const cols = await env.db.pool.query<{ column_type: string }>('SELECT DISTINCT column_type FROM fleetpivot.channel_columns');
      expect(cols.rows.map((r) => r.column_type).sort()).toEqual(mode === 'text' ? ['text'] : ['bigint', 'boolean', 'double precision', 'text']);
      // The verifier bites: one corrupted cell and one extra cell are both reported.
      const col = await env.db.pool.query<{ table_schema: string; table_name: string; column_name: string; column_type: string }>(
        "SELECT table_schema, table_name, column_name, column_type FROM fleetpivot.channel_columns WHERE column_type = 'text' LIMIT 1",
      );
      const c = col.rows[0]!;
      const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
      await env.db.pool.query(`UPDATE ${q(c.table_schema)}.${q(c.table_name)} SET ${q(c.column_name)} = 'corrupt' WHERE created_time = (SELECT min(created_time) FROM ${q(c.table_schema)}.${q(c.table_name)})`);
      const after = await verifyAll(env.db.pool, NARROW);
      expect(after.reduce((n, r) => n + r.mismatches, 0)).toBe(1);
      if (mode === 'typed') {
        const overflow = await env.db.pool.query<{ n: string }>('SELECT sum(overflow_count)::text AS n FROM fleetpivot.channel_columns');
        expect(Number(overflow.rows[0]!.n)).toBeGreaterThan(0);
      }
    });
  }
});
