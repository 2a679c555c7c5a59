export type SourcePgErrorCode =
  | 'preflight_failed'
  | 'decode_failed'
  | 'setup_failed'
  | 'stream_failed'
  | 'produce_failed'
  | 'leadership_lost';

/** The source-pg package's one error class: a code from a closed list, context in the message, the cause kept. */
export class SourcePgError extends Error {
  readonly code: SourcePgErrorCode;
  constructor(code: SourcePgErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourcePgError';
    this.code = code;
  }
}
