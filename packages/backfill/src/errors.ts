export type BackfillErrorCode =
  | 'source_missing'
  | 'columns_missing'
  | 'slot_missing'
  | 'topic_missing'
  | 'invalid_options'
  | 'job_busy'
  | 'job_not_found'
  | 'copy_failed'
  | 'decode_failed'
  | 'produce_failed'
  | 'chunk_failed'
  | 'aborted';

/** The backfill package's one error class: a code from a closed list, context in the message, the cause kept. */
export class BackfillError extends Error {
  readonly code: BackfillErrorCode;
  constructor(code: BackfillErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackfillError';
    this.code = code;
  }
}
