export type EventsErrorCode = 'encode_failed' | 'decode_failed' | 'unknown_schema_version' | 'invalid_event';

export class EventsError extends Error {
  readonly code: EventsErrorCode;
  constructor(code: EventsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventsError';
    this.code = code;
  }
}
