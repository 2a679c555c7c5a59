export { quoteIdent, quoteQualified, quoteLiteral, safeIdentifier, utf8Head, utf8Tail, MAX_IDENTIFIER_BYTES } from './identifiers.ts';
export type { SafeIdentifierOptions } from './identifiers.ts';
export { PgkitError, sqlState, coerceError } from './errors.ts';
export type { PgkitErrorCode } from './errors.ts';
export { createPool, inTransaction } from './pool.ts';
export type { Pool, PoolClient, PoolOptions } from './pool.ts';
export { withLockTimeout, defaultLockRetryOptions } from './lock-timeout.ts';
export type { LockRetryOptions } from './lock-timeout.ts';
