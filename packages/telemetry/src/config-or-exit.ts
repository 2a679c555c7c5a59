import { createLogger } from './logger.ts';

/** The exit code of every service started with a configuration it refuses (docs/configuration.md). */
export const BAD_CONFIGURATION_EXIT = 2;

/**
 * What `load` returns, or, when it throws (a ConfigError names every bad setting and the value it got): one fatal
 * JSON log line and exit 2. The same for every service, so an orchestrator and an operator see one behaviour:
 * before, the capture and the pivot died on the uncaught error with a stack trace and exit 1, like a crash.
 */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    createLogger({ service }).fatal({ err }, `${service} configuration invalid`);
    process.exit(BAD_CONFIGURATION_EXIT);
  }
}
