import pg from 'pg';
import { installExactBind } from './exact-bind.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  connectionString: string;
  /** Shows in pg_stat_activity so an operator can tell fleetpivot's sessions apart. */
  applicationName: string;
  max?: number;
  /** pg's own option: makes each connection's socket (e.g. the backfill's read-tap.ts). */
  stream?: pg.ClientConfig['stream'];
  onError?: (err: Error) => void;
}

// bigint (int8) comes back as a string by default; keep it a string at the driver and let callers decide,
// but parse int8 counts we produce ourselves with Number() where they are known to be small.
export function createPool(options: PoolOptions): pg.Pool {
  installExactBind();
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 4,
    ...(options.stream ? { stream: options.stream } : {}),
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that kills the process.
  pool.on('error', (err) => options.onError?.(err));
  // A checked-out one emits it on itself, and pg-pool listens only while the client is idle: a connection lost
  // between two queries, or after the query it failed has rejected (a COPY that got the server's FATAL message
  // first), would otherwise kill the process too. The query in flight rejects either way; the holder releases
  // the client with the error, which destroys it.
  pool.on('connect', (client) => client.on('error', (err) => options.onError?.(err)));
  return pool;
}

/** Runs `fn` inside BEGIN/COMMIT on one client, rolling back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
