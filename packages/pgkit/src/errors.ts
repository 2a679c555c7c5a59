export type PgkitErrorCode = 'lock_timeout_exhausted' | 'connect_failed' | 'query_failed';

/** The pgkit package's one error class: a code from a closed list, context in the message, the cause kept. */
export class PgkitError extends Error {
  readonly code: PgkitErrorCode;
  constructor(code: PgkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PgkitError';
    this.code = code;
  }
}

/** The SQLSTATE of a PostgreSQL error, if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** Normalises anything thrown into an Error without losing it. */
export function coerceError(err: unknown): Error {
  return err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
}
