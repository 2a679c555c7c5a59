import { afterAll, describe, expect, inject, it } from 'vitest';
import { verifyAll } from '@fleetpivot/sink-pg';
import { batchOf, applyNarrow, NARROW, type Fmt, type NarrowOp, type Val } from './narrow-model.ts';
import { encode, expectExact, pivotEnv, produce, runPivot, waitApplied, type PivotEnv } from './harness.ts';

const stack = inject('stack');
const envs: PivotEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});

// A deterministic random walk over inserts, updates, deletes and late rows, with format changes.
function workload(seed: number, ships: string[], channels: number, steps: number): NarrowOp[][] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const t0 = 1_700_000_000_000_000n;
  const formats: Fmt[] = ['Decimal', 'Integer', 'String', 'Boolean'];
  const chFormat = new Map<string, Fmt>();
  const value = (f: Fmt): Val => {
    if (rnd() < 0.05) return null;
    if (f === 'Decimal') return pick([0.1, -2.5, 1e20, 3, Math.round(rnd() * 1e6) / 1e3, NaN]);
    if (f === 'Integer') return pick([1, -7, 2n ** 53n + 1n, 9223372036854775807n, Math.floor(rnd() * 1e9)]);
    if (f === 'String') return pick(['a', "it's", 'line\nbreak', '', 'x'.repeat(300), '船']);
    return rnd() < 0.5;
  };
  const live = new Set<string>();
  const txs: NarrowOp[][] = [];
  for (let i = 0; i < steps; i++) {
    const ship = pick(ships);
    const tx: NarrowOp[] = [];
    for (let j = 0; j < 1 + Math.floor(rnd() * 8); j++) {
      const channel = `/dnv-v2/vis-3-4a/ch${Math.floor(rnd() * channels)}`;
      const late = rnd() < 0.15;
      const timeUs = t0 + BigInt(late ? Math.floor(rnd() * 5) : 5 + Math.floor(i / 4)) * 15_000_000n;
      const key = `${ship}|${channel}|${timeUs}`;
      const roll = rnd();
      if (roll < 0.15 && live.has(key)) {
        tx.push({ op: 'DELETE', ship, channel, timeUs });
        live.delete(key);
        continue;
      }
      // Occasionally a channel changes format (Integer today, Decimal tomorrow, String later).
      if (!chFormat.has(channel) || rnd() < 0.05) chFormat.set(channel, pick(formats));
      const format = chFormat.get(channel)!;
      tx.push({ op: live.has(key) ? 'UPDATE' : 'INSERT', ship, channel, timeUs, format, value: value(format) });
      live.add(key);
    }
    txs.push(tx);
  }
  return txs;
}

describe('pivot converges to the narrow table', () => {
  for (const mode of ['typed', 'text'] as const) {
    it(`inserts, updates, deletes, late rows and format changes (${mode} columns)`, async () => {
      const env = await pivotEnv(stack, `exact_${mode}`);
      envs.push(env);
      const txs = workload(mode === 'typed' ? 7 : 11, ['IMO9074729', 'IMO9225201', "ship'; DROP"], 25, 300);
      for (const tx of txs) await applyNarrow(env.db.pool, tx);
      await produce(env, txs.map((tx) => encode(env, batchOf(tx[0]!.ship, tx))));
      const pivot = await runPivot(env, { mode, schema: 'wide' });
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
