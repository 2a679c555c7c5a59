import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fleetpivot/testing';
import { tableShape } from './helpers.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../packages/cli/src/bin.ts');
const stack = inject('stack');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(stack, 'sim_cli');
});
afterAll(async () => db?.drop());

describe('fleetpivot simulate', () => {
  it('loads history and runs live ticks, printing one JSON object on its last line', async () => {
    const { stdout } = await run(process.execPath, [
      bin, 'simulate', '--url', db.url, '--no-primary-key', '--replica-identity-full', '--ships', '2', '--channels', '5',
      '--history-rows', '600', '--chunk-rows', '250', '--live', '--interval-ms', '100', '--batch-ms', '60000', '--ticks', '3',
      '--update-rate', '0.1', '--delete-rate', '0.1', '--json',
    ]);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.history.rows).toBe(600);
    expect(result.live.ticks).toBe(3);
    const shape = await tableShape(db.pool, 'tenant.tbl_data_timeseries');
    expect(shape.rows).toBe(600 + result.live.inserted + result.live.lateInserted - result.live.deleted);
    const { rows } = await db.pool.query<{ relreplident: string }>("SELECT relreplident FROM pg_class WHERE oid = 'tenant.tbl_data_timeseries'::regclass");
    expect(rows[0]!.relreplident).toBe('f');
  });

  it('exits 1 naming the URL it could not reach, and 2 for a bad option', async () => {
    const unreachable = await run(process.execPath, [bin, 'simulate', '--url', 'postgres://postgres@127.0.0.1:1/nowhere', '--history-rows', '1']).catch((e: { code: number; stderr: string }) => e);
    expect(unreachable).toMatchObject({ code: 1 });
    expect((unreachable as { stderr: string }).stderr).toContain('cannot connect to postgres://postgres@127.0.0.1:1/nowhere (--url)');
    const bad = await run(process.execPath, [bin, 'simulate', '--url', db.url, '--live', '--update-rate', 'lots']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('--update-rate must be a number from 0 to 1, got "lots"');
  });
});
