import { ChangeBatchCodec, type ChangeBatch } from '@fleetpivot/events';
import type { IncomingMessage } from '@fleetpivot/transport-kafka';
import { coerceError } from '@fleetpivot/pgkit';

export interface DecodedMessage {
  offset: bigint;
  message: IncomingMessage;
  batch: ChangeBatch | null;
  /** Why it could not be decoded (then batch is null). */
  error: string | null;
}

/** Decodes one message; never throws (an undecodable message is parked, not retried forever). */
export function decodeMessage(codec: ChangeBatchCodec, message: IncomingMessage): DecodedMessage {
  const offset = BigInt(message.offset);
  try {
    if (message.value === null) return { offset, message, batch: null, error: 'message has no value (tombstone)' };
    const version = ChangeBatchCodec.versionFromHeaders(message.headers);
    return { offset, message, batch: codec.decode(message.value, version), error: null };
  } catch (err) {
    const e = coerceError(err);
    return { offset, message, batch: null, error: e.cause ? `${e.message}: ${coerceError(e.cause).message}` : e.message };
  }
}
