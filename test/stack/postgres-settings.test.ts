import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensurePostgres, freePort, stopPostgres } from '@fleetpivot/stack';

const stack = inject('stack');

async function show(url: string, setting: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(`SHOW ${setting}`);
    return Object.values(rows[0]!)[0]!;
  } finally {
    await client.end();
  }
}

// The project-local cluster only: with external PostgreSQL (FLEETPIVOT_SOURCE_URL) its settings are the user's.
describe.runIf(stack.local.postgres)('the local PostgreSQL cluster', () => {
  let root: string | undefined;
  let options: { dir: string; port: number } | undefined;
  afterAll(async () => {
    if (options) await stopPostgres(options);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('runs with the stack settings, and a cluster made by an older version takes them on its next start', async () => {
    root = await mkdtemp(join(tmpdir(), 'fleetpivot-pg-'));
    await chmod(root, 0o755); // the cluster runs as the postgres user when tests run as root
    options = { dir: join(root, 'pg'), port: await freePort() };
    const url = await ensurePostgres(options);
    expect(await show(url, 'shared_buffers')).toBe('32MB');
    expect(await show(url, 'wal_level')).toBe('logical');
    expect(await show(url, 'ssl')).toBe('on');

    // An older cluster: its settings inline in postgresql.conf from initdb, no include, another shared_buffers.
    await stopPostgres(options);
    const mainConf = join(options.dir, 'data', 'postgresql.conf');
    const lines = (await readFile(mainConf, 'utf8')).split('\n').filter((l) => !l.startsWith('include_if_exists'));
    await writeFile(mainConf, `${lines.join('\n')}\nshared_buffers = 128MB\n`);
    await rm(join(options.dir, 'data', 'fleetpivot.conf'));
    // ...and made before the stack offered TLS: no certificate yet.
    for (const f of ['server.crt', 'server.key']) await rm(join(options.dir, 'data', f));
    await ensurePostgres(options);
    expect(await show(url, 'shared_buffers')).toBe('32MB');
    expect(await show(url, 'ssl')).toBe('on');

    // Starting again adds nothing twice.
    await stopPostgres(options);
    await ensurePostgres(options);
    const includes = (await readFile(mainConf, 'utf8')).split('\n').filter((l) => l === "include_if_exists = 'fleetpivot.conf'");
    expect(includes).toHaveLength(1);
    expect(await show(url, 'shared_buffers')).toBe('32MB');
  });

  it('is the one the tests run on, with the same settings', async () => {
    expect(await show(stack.adminUrl, 'shared_buffers')).toBe('32MB');
    expect(await show(stack.adminUrl, 'ssl')).toBe('on');
  });
});
