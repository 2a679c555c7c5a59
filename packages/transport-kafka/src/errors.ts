export type KafkaTransportErrorCode = 'connect_failed' | 'produce_failed' | 'commit_failed' | 'admin_failed';

export class KafkaTransportError extends Error {
  readonly code: KafkaTransportErrorCode;
  constructor(code: KafkaTransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KafkaTransportError';
    this.code = code;
  }
}
