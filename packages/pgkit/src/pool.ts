import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  connectionString: string;
  /** Shows in pg_stat_activity so an operator can tell fleetpivot's sessions apart. */
  applicationName: string;
  max?: number;
  onError?: (err: Error) => void;
}

// bigint (int8) comes back as a string by default; keep it a string at the driver and let callers decide,
// but parse int8 counts we produce ourselves with Number() where they are known to be small.
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 4,
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that kills the process.
  pool.on('error', (err) => options.onError?.(err));
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
