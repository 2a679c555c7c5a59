import { BackfillError, backfillUsage, parseBackfillArgs, runBackfill } from '@fleetpivot/backfill';
import type { BackfillOptions } from '@fleetpivot/backfill';
import { ensureStack } from '@fleetpivot/stack';
import { createLogger } from '@fleetpivot/telemetry';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';

export const backfill: Command = {
  name: 'backfill',
  summary: 'replay the narrow table\'s history into Kafka as BACKFILL batches (resumable job; the capture must be running)',
  usage: `${backfillUsage}
  --json               print the result as one JSON object
Connections: FLEETPIVOT_SOURCE_URL, FLEETPIVOT_TARGET_URL, KAFKA_BROKERS (default: the local stack).
Defaults match the capture: topic prefix 'fleetpivot', slot 'fleetpivot_capture'.`,
  run: (args, io) => runBackfillCommand(args, io),
};

async function runBackfillCommand(args: string[], io: CommandIo): Promise<number> {
  const json = args.includes('--json');
  let flags: Partial<BackfillOptions>;
  try {
    flags = parseBackfillArgs(args.filter((a) => a !== '--json'));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const stack = await ensureStack({ env: io.env });
  // Log lines go to stderr so stdout stays the result (and the terminal display, also on stderr, is not mixed in).
  const logger = createLogger({ service: 'backfill', level: json ? 'warn' : 'info', destination: process.stderr });
  try {
    const result = await runBackfill(
      { sourceUrl: stack.sourceUrl, targetUrl: stack.targetUrl, kafkaBrokers: stack.kafkaBrokers, topicPrefix: 'fleetpivot', slotName: 'fleetpivot_capture', ...flags },
      { logger, signal: io.signal },
    );
    if (json) io.stdout(JSON.stringify(result));
    else io.stdout(`backfill job ${result.jobId}${result.resumed ? ' (resumed)' : result.sampledPlan ? ' (planned from a sample)' : ''}: ${result.rows} rows in ${result.chunks} chunks, ${result.seconds.toFixed(1)} s; job total ${result.jobRows} rows, ${result.chunksTotal} chunks`);
    return 0;
  } catch (err) {
    if (err instanceof BackfillError && err.code === 'invalid_options') throw new UsageError(err.message);
    throw err;
  }
}
