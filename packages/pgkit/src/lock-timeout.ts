import type pg from 'pg';
import { PgkitError, sqlState } from './errors.ts';

export interface LockRetryOptions {
  /** How long one DDL statement may wait for its lock before giving up (and letting readers through). */
  lockTimeoutMs?: number;
  /** Attempts before giving up with `lock_timeout_exhausted`. */
  attempts?: number;
  /** Base of the jittered exponential backoff between attempts. */
  backoffMs?: number;
}

export const defaultLockRetryOptions = { lockTimeoutMs: 2_000, attempts: 30, backoffMs: 50 } satisfies Required<LockRetryOptions>;

const RETRYABLE = new Set(['55P03', '40P01', '40001']); // lock_not_available, deadlock_detected, serialization_failure

/**
 * Runs `fn` in its own transaction with a short `lock_timeout`, retrying when the lock is not granted.
 * Why: an ALTER TABLE waiting in the lock queue blocks every reader queued behind it; giving up quickly
 * and retrying keeps readers flowing while the DDL eventually gets its turn.
 */
export async function withLockTimeout<T>(
  client: pg.ClientBase,
  fn: (client: pg.ClientBase) => Promise<T>,
  options: LockRetryOptions = {},
): Promise<T> {
  const o = { ...defaultLockRetryOptions, ...options };
  for (let attempt = 1; ; attempt++) {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(o.lockTimeoutMs))}`);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const state = sqlState(err);
      if (state === undefined || !RETRYABLE.has(state)) throw err;
      if (attempt >= o.attempts) {
        throw new PgkitError('lock_timeout_exhausted', `lock not granted after ${attempt} attempts`, { cause: err });
      }
      const delay = o.backoffMs * 2 ** Math.min(attempt, 6) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
