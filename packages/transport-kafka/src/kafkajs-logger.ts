import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@fleetpivot/telemetry';

// Bounded retries are deliberate: a send that keeps failing fails the caller, which then restarts from its
// last durable checkpoint (at-least-once), instead of hanging forever.
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/** Routes kafkajs's own logging into our pino logger instead of its console output. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log;
    const fields = { stage: 'kafkajs', namespace: log.namespace, ...extra };
    if (level === logLevel.ERROR) logger.error(fields, message);
    else if (level === logLevel.WARN && !EXPECTED_WARNINGS.some((w) => message.startsWith(w))) logger.warn(fields, message);
    else if (level === logLevel.WARN) logger.debug(fields, message);
    else if (level === logLevel.INFO) logger.debug(fields, message);
    else logger.trace(fields, message);
  };
}
