export { createLogger, silentLogger } from './logger.ts';
export type { Logger, LoggerOptions } from './logger.ts';
export { createRegistry, latencyBucketsSeconds, Counter, Gauge, Histogram, Registry } from './metrics.ts';
export { startHttpServer } from './http-server.ts';
export type { Probe, HttpServerOptions } from './http-server.ts';
export { configOrExit, BAD_CONFIGURATION_EXIT } from './config-or-exit.ts';
