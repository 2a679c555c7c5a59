import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@fleetpivot/telemetry';

/** Routes kafkajs's own logging into our pino logger instead of its console output. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log;
    const fields = { stage: 'kafkajs', namespace: log.namespace, ...extra };
    if (level === logLevel.ERROR) logger.error(fields, message);
    else if (level === logLevel.WARN) logger.warn(fields, message);
    else if (level === logLevel.INFO) logger.debug(fields, message);
    else logger.trace(fields, message);
  };
}
