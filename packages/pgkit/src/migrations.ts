import type pg from 'pg';
import { quoteIdent } from './identifiers.ts';

export interface Migration {
  /** Increasing within a component; never renumber or edit a shipped migration, add a new one. */
  version: number;
  description: string;
  sql: string;
}

/** fleetpivot's own tables live in this schema of the target database. */
export const FLEETPIVOT_SCHEMA = 'fleetpivot';

const LOCK_KEY = 0x666c7470; // "fltp": one advisory lock serialises every component's migrations

/**
 * Applies a component's pending migrations, each in its own transaction, recorded in
 * fleetpivot.schema_migrations. Safe to call from many replicas at start-up at once.
 */
export async function runMigrations(
  client: pg.ClientBase,
  component: string,
  migrations: readonly Migration[],
  schema = FLEETPIVOT_SCHEMA,
): Promise<number[]> {
  const s = quoteIdent(schema);
  await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      component text NOT NULL, version int NOT NULL, description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    const done = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations WHERE component = $1`, [component]);
    const applied = new Set(done.rows.map((r) => r.version));
    const ran: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path = ${s}, public`);
        await client.query(m.sql);
        await client.query(`INSERT INTO ${s}.schema_migrations (component, version, description) VALUES ($1, $2, $3)`, [component, m.version, m.description]);
        await client.query('COMMIT');
        ran.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${component} v${m.version} (${m.description}) failed`, { cause: err });
      }
    }
    return ran;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}
