export type SinkErrorCode = 'ddl_failed' | 'apply_failed' | 'catalog_conflict' | 'verify_failed';

/** sink-pg's one error class: a code from a closed list, context in the message, the cause kept. */
export class SinkError extends Error {
  readonly code: SinkErrorCode;
  constructor(code: SinkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
    this.code = code;
  }
}
