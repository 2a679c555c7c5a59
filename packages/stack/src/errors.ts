export type StackErrorCode =
  | 'postgres_binaries_missing'
  | 'java_missing'
  | 'maven_failed'
  | 'openssl_missing'
  | 'port_in_use'
  | 'start_failed'
  | 'not_ready'
  | 'locked';

/** Errors of the local stack; messages say what to do (which package to install, which env var to set). */
export class StackError extends Error {
  readonly code: StackErrorCode;
  constructor(code: StackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackError';
    this.code = code;
  }
}
