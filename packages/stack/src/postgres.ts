import { chown, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { portFree, run, sleep } from './exec.ts';
import { StackError } from './errors.ts';

export interface PostgresOptions {
  dir: string;
  port: number;
  /** OS user that owns and runs the cluster when we are root. */
  osUser?: string;
}

const PG_ROOT = '/usr/lib/postgresql';

/** Finds Debian's PostgreSQL server binaries, newest major first (15 is what this project targets). */
export async function findPostgresBin(): Promise<string> {
  const majors = existsSync(PG_ROOT) ? (await readdir(PG_ROOT)).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = join(PG_ROOT, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new StackError('postgres_binaries_missing', 'PostgreSQL server binaries not found under /usr/lib/postgresql: run `apt-get install -y postgresql-15`');
}

export const postgresAdminUrl = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;

// Settings the pipeline needs (logical decoding, enough slots and senders) and a dev cluster wants
// (fsync off: these clusters hold test and demo data only; a crashed OS loses nothing that matters).
// shared_buffers is 32 MB, small on purpose: without huge pages every new backend takes a page fault for each 4 KiB
// of shared memory it touches (~20 µs each on the 2-core VMs here), and a backfill's index reads touch buffers all
// over the pool. 32 MB against 256 MB, interleaved: a 1M-row, 100-channel backfill 2.8-3.1 s against 3.3-4.5 s,
// 5,000 channels 4.7-5.4 s against 5.2-6.1 s, 10M rows 15.4-16.5 s against 16.3-17.8 s; the SQL pivot and the
// floor, whose sequential scans use a small buffer ring, unchanged or faster (docs/performance.md, "The 02:30
// round"). The OS page cache still holds the data.
const POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  wal_level: 'logical',
  max_replication_slots: '32',
  max_wal_senders: '32',
  max_connections: '200',
  shared_buffers: '32MB',
  max_wal_size: '4GB',
  logical_decoding_work_mem: '64MB',
  fsync: 'off',
  full_page_writes: 'off',
  listen_addresses: "'127.0.0.1'",
  log_min_messages: 'warning',
  // TLS offered, not required: plain connections (most tests, the demo) stay plain, and a client that asks for
  // TLS gets it, so the TLS paths (the backfill's COPY reads, the capture's replication stream) are tested too.
  ssl: 'on',
};

/** The self-signed certificate the cluster offers TLS with (data folder, PostgreSQL's default file names). */
const SERVER_CERT = 'server.crt';
const SERVER_KEY = 'server.key';

const STACK_CONF = 'fleetpivot.conf';
const INCLUDE_LINE = `include_if_exists = '${STACK_CONF}'`;

/**
 * Writes POSTGRES_SETTINGS to the data folder's fleetpivot.conf before every start, so a cluster made by an
 * older version picks up changed settings on its next start instead of keeping those of its initdb. The include
 * goes at the end of postgresql.conf once (after initdb, or into an older cluster's file): read last, its values
 * win over earlier lines.
 */
async function writeStackSettings(o: PostgresOptions, data: string, user: string): Promise<void> {
  const conf = Object.entries({ ...POSTGRES_SETTINGS, port: String(o.port), unix_socket_directories: `'${join(o.dir, 'run')}'` })
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  const main = join(data, 'postgresql.conf');
  const included = (await readFile(main, 'utf8')).split('\n').includes(INCLUDE_LINE);
  const append = included ? '' : `printf '%s\\n' "${INCLUDE_LINE}" >> '${main}' && `;
  await run('sh', ['-c', `${append}cat > '${join(data, STACK_CONF)}' <<'EOF'\n# written by fleetpivot's stack on every start (packages/stack/src/postgres.ts)\n${conf}\nEOF`], { asUser: user });
}

/**
 * A self-signed certificate for 127.0.0.1 / localhost, made once per data folder (also for a cluster made by an
 * older version, before its next start: `ssl = on` refuses to start without one). The key is the cluster user's,
 * mode 0600, as PostgreSQL insists.
 */
async function ensureServerCertificate(data: string, user: string): Promise<void> {
  if (existsSync(join(data, SERVER_CERT)) && existsSync(join(data, SERVER_KEY))) return;
  await run('openssl', ['version']).catch((err: unknown) => {
    throw new StackError('openssl_missing', 'openssl not found (the local cluster offers TLS with a self-signed certificate): run `apt-get install -y openssl`', { cause: err });
  });
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
  await run('openssl', [...args, '-keyout', join(data, SERVER_KEY), '-out', join(data, SERVER_CERT)], { asUser: user });
  await run('chmod', ['600', join(data, SERVER_KEY)], { asUser: user });
}

async function pgCtl(bin: string, o: PostgresOptions, args: string[]) {
  return run(join(bin, 'pg_ctl'), ['-D', join(o.dir, 'data'), ...args], { asUser: o.osUser ?? 'postgres' });
}

export async function postgresRunning(o: PostgresOptions): Promise<boolean> {
  if (!existsSync(join(o.dir, 'data', 'PG_VERSION'))) return false;
  const bin = await findPostgresBin();
  try {
    await pgCtl(bin, o, ['status']);
    return true;
  } catch {
    return false;
  }
}

/** initdb once, then start; a running cluster is left alone (starting twice is a no-op). */
export async function ensurePostgres(o: PostgresOptions): Promise<string> {
  const bin = await findPostgresBin();
  const data = join(o.dir, 'data');
  const user = o.osUser ?? 'postgres';
  const url = postgresAdminUrl(o.port);
  if (await postgresRunning(o)) return url;
  if (!(await portFree(o.port))) {
    throw new StackError('port_in_use', `port ${o.port} is taken by another process; stop it or set FLEETPIVOT_PG_PORT`);
  }
  await mkdir(o.dir, { recursive: true });
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await rm(data, { recursive: true, force: true });
    await mkdir(data, { recursive: true });
    await mkdir(join(o.dir, 'run'), { recursive: true });
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', user]);
      const { stdout: gid } = await run('id', ['-g', user]);
      for (const d of [o.dir, data, join(o.dir, 'run')]) await chown(d, Number(stdout.trim()), Number(gid.trim()));
    }
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { asUser: user });
  }
  await ensureServerCertificate(data, user);
  await writeStackSettings(o, data, user);
  try {
    await pgCtl(bin, o, ['-l', join(o.dir, 'postgres.log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    throw new StackError('start_failed', `PostgreSQL did not start; see ${join(o.dir, 'postgres.log')}`, { cause: err });
  }
  await waitForPostgres(url);
  return url;
}

export async function waitForPostgres(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new StackError('not_ready', `PostgreSQL at ${url} not answering`, { cause: err });
      await sleep(250);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export async function stopPostgres(o: PostgresOptions): Promise<void> {
  if (!(await postgresRunning(o))) return;
  await pgCtl(await findPostgresBin(), o, ['-m', 'fast', '-w', 'stop']);
}

/** Creates a database if it does not exist (CREATE DATABASE cannot run in a transaction or IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err; // created concurrently: fine
      });
    }
  } finally {
    await client.end();
  }
}

/** Drops a database, its replication slots first (PostgreSQL refuses to drop a database that has logical slots). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL', [name]);
    for (let i = 0; i < 50; i++) {
      const slots = await client.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots WHERE database = $1', [name]);
      if (slots.rowCount === 0) break;
      for (const s of slots.rows) await client.query('SELECT pg_drop_replication_slot($1)', [s.slot_name]).catch(() => undefined);
      await sleep(100);
    }
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
