import pg from 'pg';
import { createPool, quoteIdent, type Pool } from '@fleetpivot/pgkit';
import { dropDatabase, type StackInfo } from '@fleetpivot/stack';
import { uniqueName } from './names.ts';

export const TEMPLATE_DATABASE = 'fleetpivot_test_template';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  /** Drops the database, its replication slots first (a database with logical slots cannot be dropped). */
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the (empty) template once; test databases are cloned from it, which is fast. */
export async function ensureTemplate(adminUrl: string): Promise<void> {
  await withAdmin(adminUrl, async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DATABASE]);
    if (found.rowCount === 0) {
      await c.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DATABASE)}`).catch((err: { code?: string }) => {
        // Created by a parallel worker meanwhile: 42P04, or 23505 when both inserted into pg_database at once.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  });
}

export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(stack: StackInfo, label = 'test'): Promise<TestDatabase> {
  await ensureTemplate(stack.adminUrl);
  const name = uniqueName(`t_${label}`);
  await withAdmin(stack.adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(TEMPLATE_DATABASE)}`));
  const url = databaseUrl(stack.adminUrl, name);
  const pool = createPool({ connectionString: url, applicationName: `test:${label}`, max: 8 });
  return { name, url, pool, drop: () => dropTestDatabase(stack.adminUrl, name, pool) };
}

export async function dropTestDatabase(adminUrl: string, name: string, pool?: Pool): Promise<void> {
  await pool?.end().catch(() => undefined);
  await dropDatabase(adminUrl, name);
}
