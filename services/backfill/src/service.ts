import { BackfillError, runBackfill } from '@fleetpivot/backfill';
import { configOrExit, createLogger, createRegistry, startHttpServer } from '@fleetpivot/telemetry';
import { loadBackfillConfig } from './config.ts';
import { backfillOptionsFrom } from './options.ts';

// The one wiring point of the backfill job (a Kubernetes Job): config, metrics endpoint, signals, exit code.
// Exit 0: the job completed. 1: it did not (the log says why; rerun to resume). 2: bad configuration.
const { config, options } = configOrExit('backfill', () => {
  const config = loadBackfillConfig(process.env);
  return { config, options: backfillOptionsFrom(config, process.argv.slice(2)) };
});
const logger = createLogger({ service: 'backfill', level: config.LOG_LEVEL });
const registry = createRegistry('backfill');
const abort = new AbortController();
let running = false;
const server = await startHttpServer({
  port: config.BACKFILL_HTTP_PORT,
  registry,
  health: () => ({ ok: true }),
  ready: () => ({ ok: running && !abort.signal.aborted }),
});

function stop(signal: string): void {
  if (abort.signal.aborted) return;
  logger.warn({ signal }, 'stopping backfill: running chunks are abandoned, the job stays resumable');
  abort.abort();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

let code = 0;
try {
  running = true;
  const result = await runBackfill(options, { logger, registry, signal: abort.signal });
  logger.info({ job: result.jobId, rows: result.rows, jobRows: result.jobRows, chunks: result.chunks, sampledPlan: result.sampledPlan, seconds: result.seconds }, 'backfill completed');
} catch (err) {
  code = 1;
  if (err instanceof BackfillError) logger.fatal({ code: err.code, err }, `backfill failed: ${err.message}`);
  else logger.fatal({ err }, 'backfill failed');
} finally {
  running = false;
  server.close();
}
process.exit(code);
