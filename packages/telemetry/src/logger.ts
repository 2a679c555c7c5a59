import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where JSON lines go; defaults to stdout (what Kubernetes collects). */
  destination?: pino.DestinationStream;
}

/** Structured JSON logs: fixed messages, fields for the variable parts, `service` on every line. */
export function createLogger(options: LoggerOptions): Logger {
  return pino({ name: options.service, level: options.level ?? 'info', base: { service: options.service } }, options.destination);
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
