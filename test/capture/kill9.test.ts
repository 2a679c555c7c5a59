import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { createNarrowTable } from '@fleetpivot/simulator';
import { captureEnv, NARROW_EXACT_SQL, readTopicToEnd, replay, rowKey, sleep, spawnCapture, type NarrowRow } from './helpers.ts';

const stack = inject('stack');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(stack, 'kill9');
  await createNarrowTable(db.pool, { primaryKey: true });
});
afterAll(async () => db?.drop());

const FORMATS = ['Decimal', 'Integer', 'String', 'Boolean'] as const;

/** A steady writer: small transactions of inserts, with updates, key moves and deletes mixed in. */
function startWriter(pool: TestDatabase['pool']) {
  let stop = false;
  let n = 0;
  const inserted = new Set<string>();
  const done = (async () => {
    const c = await pool.connect();
    try {
      for (let tx = 0; !stop; tx++) {
        await c.query('BEGIN');
        const rows: unknown[][] = [];
        // Every 20th transaction is a burst (one minute of a fleet), so kills also land mid-transaction.
        const size = tx % 20 === 10 ? 2000 : 20;
        for (let i = 0; i < size; i++, n++) {
          const f = FORMATS[n % 4] as string;
          const ship = `IMO${1000000 + (n % 7)}`;
          const us = 1_700_000_000_000_000 + n * 15_000_001;
          rows.push([ship, `/ch/${n % 13}`, us, f, f === 'Decimal' ? n / 7 : null, f === 'Integer' ? String(BigInt(n) * 1_000_000_007n) : null, f === 'String' ? `s${n}` : null, f === 'Boolean' ? n % 2 === 0 : null]);
        }
        const params = rows.flat();
        const values = rows.map((_, i) => `($${i * 8 + 1}, $${i * 8 + 2}, to_timestamp($${i * 8 + 3}::numeric / 1000000), $${i * 8 + 4}, $${i * 8 + 5}, $${i * 8 + 6}, $${i * 8 + 7}, $${i * 8 + 8})`);
        const r = await c.query<{ k: string }>(
          `INSERT INTO tenant.tbl_data_timeseries VALUES ${values.join(',')}
           RETURNING json_build_array(ship_id, data_channel_id, ((extract(epoch FROM created_time) * 1000000)::numeric(30,0))::text)::text AS k`,
          params,
        );
        if (tx % 3 === 0) {
          await c.query(`UPDATE tenant.tbl_data_timeseries SET double_v = double_v + 1 WHERE ctid IN (SELECT ctid FROM tenant.tbl_data_timeseries WHERE value_format = 'Decimal' ORDER BY random() LIMIT 3)`);
          await c.query(`DELETE FROM tenant.tbl_data_timeseries WHERE ctid IN (SELECT ctid FROM tenant.tbl_data_timeseries ORDER BY random() LIMIT 1)`);
        }
        if (tx % 7 === 0) {
          await c.query(`UPDATE tenant.tbl_data_timeseries SET ship_id = ship_id || 'm', created_time = created_time + interval '1 microsecond'
                          WHERE ctid IN (SELECT ctid FROM tenant.tbl_data_timeseries ORDER BY random() LIMIT 1)`);
        }
        await c.query('COMMIT');
        for (const row of r.rows) {
          const [s, ch, t] = JSON.parse(row.k) as [string, string, string];
          inserted.add(rowKey(s, ch, t));
        }
        await sleep(15);
      }
    } finally {
      c.release();
    }
  })();
  return { inserted, stop: async () => { stop = true; await done; } };
}

describe('capture survives kill -9 at random points with nothing lost', () => {
  it('10 SIGKILLs under steady writes: every committed change is on Kafka (duplicates allowed)', async () => {
    const env = captureEnv(stack, db.url, { CAPTURE_HEARTBEAT_INTERVAL_MS: '1000', LOG_LEVEL: 'info' });
    const kills: number[] = [];
    let writer: ReturnType<typeof startWriter> | undefined;
    try {
      for (let i = 0; i < 10; i++) {
        const p = spawnCapture(env, `kill${i}`);
        await p.waitForLog('capture active', 60_000);
        // The slot exists from here on: only changes after it are the capture's to deliver.
        writer ??= startWriter(db.pool);
        const ms = 200 + Math.floor(Math.random() * 2000);
        await sleep(ms);
        p.child.kill('SIGKILL');
        await p.exited;
        kills.push(ms);
      }
    } finally {
      await writer?.stop();
    }
    if (!writer) throw new Error('writer never started');
    const final = spawnCapture(env, 'final');
    await final.waitForLog('capture active', 60_000);
    const { rows: [now] } = await db.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (let i = 0; i < 600; i++) {
      const r = await db.pool.query<{ ok: boolean }>('SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $2', [now!.lsn, env.FLEETPIVOT_SLOT_NAME]);
      if (r.rows[0]?.ok) break;
      await sleep(100);
    }
    final.child.kill('SIGTERM');
    expect(await final.exited).toBe(0);

    const all = await readTopicToEnd(stack, `${env.FLEETPIVOT_TOPIC_PREFIX}.tenant.tbl_data_timeseries`);
    const seenInserts = new Set<string>();
    let changes = 0;
    let insertEvents = 0;
    for (const r of all) {
      for (const c of r.batch.changes) {
        changes++;
        if (c.op === 'INSERT') insertEvents++;
        if (c.op === 'INSERT') seenInserts.add(rowKey(r.batch.ship_id, c.data_channel_id, c.created_time_us));
      }
    }
    const missing = [...writer.inserted].filter((k) => !seenInserts.has(k));
    expect(missing).toEqual([]);

    const state = replay(all);
    const { rows } = await db.pool.query<NarrowRow>(NARROW_EXACT_SQL);
    const mismatched = rows.filter((row) => JSON.stringify(state.get(rowKey(row.ship_id, row.data_channel_id, row.created_time_us))) !== JSON.stringify(row));
    expect(mismatched.slice(0, 3)).toEqual([]);
    expect(state.size).toBe(rows.length);
    console.log(`kill -9 test: ${kills.length} kills at ${kills.join(',')} ms; ${writer.inserted.size} rows inserted, ${changes} changes on Kafka ${insertEvents - seenInserts.size} duplicate inserts redelivered after kills, ${all.length} messages`);
  }, 600_000);
});
