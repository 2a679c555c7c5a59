import { afterAll, describe, expect, inject, it } from 'vitest';
import { runBackfill } from '@fleetpivot/backfill';
import { runCli, type CommandIo } from '@fleetpivot/cli';
import { verifyAllAcross, verifyShipAcross } from '@fleetpivot/sink-pg';
import { createNarrowTable, loadHistory } from '@fleetpivot/simulator';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

// The narrow table in one database, the wide tables in another: verification copies each ship's narrow rows to
// the target and compares there, with the same definition of "matches" as in one database.
const stack = inject('stack');
const NARROW = { schema: 'tenant', table: 'tbl_data_timeseries' };
// A ship id and a channel id written to break quoting, wherever one reaches SQL unquoted.
const HOSTILE_SHIP = `IMO'); DROP TABLE tenant.tbl_data_timeseries; --`;
const HOSTILE_CHANNEL = `/dc'1/"x"; DROP TABLE y --`;
const dbs: TestDatabase[] = [];
let pipeline: Pipeline | undefined;
afterAll(async () => {
  await pipeline?.stop();
  for (const db of dbs) await db.drop();
});

function cliIo(env: Record<string, string>): CommandIo & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (l) => out.push(l), stderr: () => undefined, env, signal: new AbortController().signal };
}

describe('verify with the narrow and wide tables in different databases', () => {
  it('finds every cell in place, then names the one a source change left behind, from the API and the CLI', { timeout: 180_000 }, async () => {
    const source = await createTestDatabase(stack, 'vsrc');
    const target = await createTestDatabase(stack, 'vtgt');
    dbs.push(source, target);
    await createNarrowTable(source.pool, { primaryKey: true });
    const history = await loadHistory(source.pool, { seed: 21, ships: 3, channels: 12, rows: 6_000, endTime: new Date('2024-03-01T00:00:00Z') });
    await source.pool.query(
      `INSERT INTO tenant.tbl_data_timeseries (ship_id, data_channel_id, created_time, value_format, double_v) VALUES ($1, $2, '2024-02-01T00:00:00Z', 'Decimal', 1.5), ($1, $2, '2024-02-01T00:00:01Z', 'Decimal', 2.5)`,
      [HOSTILE_SHIP, HOSTILE_CHANNEL],
    );
    pipeline = await startPipeline(stack, source, 'vacross', undefined, { targetPool: target.pool });
    await runBackfill({ sourceUrl: source.url, targetUrl: target.url, kafkaBrokers: stack.kafkaBrokers, topicPrefix: pipeline.prefix, slotName: pipeline.prefix, progress: 'none' });
    await pipeline.drain();
    await pipeline.stop();

    const all = await verifyAllAcross(source.pool, target.pool, NARROW);
    expect(all.map((r) => r.shipId)).toEqual([...history.ships, HOSTILE_SHIP].sort());
    for (const r of all) expect([r.shipId, r.mismatches, r.actualCells]).toEqual([r.shipId, 0, r.expectedCells]);
    expect(all.find((r) => r.shipId === HOSTILE_SHIP)?.expectedCells).toBe(2);
    const env = { FLEETPIVOT_SOURCE_URL: source.url, FLEETPIVOT_TARGET_URL: target.url, KAFKA_BROKERS: stack.kafkaBrokers.join(','), FLEETPIVOT_ACTOR: 'test' };
    const ok = cliIo(env);
    expect(await runCli(['verify', '--json'], ok)).toBe(0);
    expect(JSON.parse(ok.out.at(-1)!)).toMatchObject({ verified: true });

    // Changed in the source with nothing capturing it: the wide table now holds a value the narrow table does not.
    const ship = history.ships[1]!;
    const changed = await source.pool.query<{ data_channel_id: string; t: string }>(
      `UPDATE tenant.tbl_data_timeseries SET double_v = double_v + 1 WHERE ctid = (SELECT ctid FROM tenant.tbl_data_timeseries WHERE ship_id = $1 AND value_format = 'Decimal' AND double_v IS NOT NULL ORDER BY created_time, data_channel_id LIMIT 1) RETURNING data_channel_id, created_time::text AS t`,
      [ship],
    );
    const stale = await verifyShipAcross(source.pool, target.pool, NARROW, ship);
    expect(stale.mismatches).toBe(1);
    expect(stale.sample).toEqual([expect.objectContaining({ channel: changed.rows[0]!.data_channel_id })]);
    const failed = cliIo(env);
    expect(await runCli(['verify', '--json', '--ships', `${ship},${history.ships[0]!}`], failed)).toBe(1);
    expect(JSON.parse(failed.out.at(-1)!)).toMatchObject({ verified: false, ships: [{ shipId: ship, mismatches: 1 }, { shipId: history.ships[0], mismatches: 0 }] });
    // The temporary copies went with their transactions: nothing of them is left on the target.
    const left = await target.pool.query(`SELECT 1 FROM pg_class WHERE relname = 'fleetpivot_verify_narrow'`);
    expect(left.rowCount).toBe(0);
  });
});
