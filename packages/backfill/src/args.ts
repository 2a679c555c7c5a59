import { parseArgs } from 'node:util';
import { BackfillError } from './errors.ts';
import { BACKFILL_ENCODINGS, type BackfillEncoding, type BackfillOptions } from './options.ts';

export const backfillUsage = `fleetpivot backfill [options]
  --ships A,B          only these ships (default: all)
  --from TIME          only created_time >= TIME (e.g. 2024-05-01, 2024-05-01T12:00:00Z; UTC when no zone)
  --to TIME            only created_time < TIME
  --new-job            start a fresh job even if an unfinished one with the same scope exists (the repair path)
  --resume [JOB_ID]    resume that job; without an id, the latest unfinished job with the same scope (the default)
  --chunk-rows N       rows per chunk (default 100000)
  --parallelism N      chunks read at once (default 2)
  --rate N             rows per second for the whole job, 0 = unlimited (default 0)
  --batch-changes N    cells or changes per Kafka message (default 50000)
  --encoding E         columnar (default: backfill cells as column blocks) or changes (a record per row)
  --order ORDER        smallest-first (default) or largest-first
  --progress MODE      auto (default), terminal, log, none
  --slot NAME          the capture's replication slot
  --topic-prefix P     topic prefix shared with the capture
  --table SCHEMA.TABLE the narrow table (default tenant.tbl_data_timeseries)`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new BackfillError('invalid_options', `--${name} must be an integer (got ${JSON.stringify(v)})`);
  return n;
}

/** Command-line flags to backfill options (connection settings come from the environment, not flags). */
export function parseBackfillArgs(argv: readonly string[]): Partial<BackfillOptions> {
  // `--resume` may stand alone (resume the latest matching job, which is also the default).
  const args = argv.flatMap((a, i) => (a === '--resume' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) ? [] : [a]));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        ships: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'new-job': { type: 'boolean' },
        resume: { type: 'string' },
        'chunk-rows': { type: 'string' },
        parallelism: { type: 'string' },
        rate: { type: 'string' },
        'batch-changes': { type: 'string' },
        encoding: { type: 'string' },
        order: { type: 'string' },
        progress: { type: 'string' },
        slot: { type: 'string' },
        'topic-prefix': { type: 'string' },
        table: { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new BackfillError('invalid_options', `${(err as Error).message}\n${backfillUsage}`);
  }
  const out: Partial<BackfillOptions> = {};
  if (parsed.ships !== undefined) out.ships = parsed.ships.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parsed.from !== undefined) out.from = parsed.from;
  if (parsed.to !== undefined) out.to = parsed.to;
  if (parsed['new-job']) out.newJob = true;
  if (parsed.resume !== undefined) out.resumeJobId = parsed.resume;
  const set = <K extends keyof BackfillOptions>(k: K, v: BackfillOptions[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('chunkRows', int('chunk-rows', parsed['chunk-rows']));
  set('parallelism', int('parallelism', parsed.parallelism));
  set('rowsPerSecond', int('rate', parsed.rate));
  set('batchMaxChanges', int('batch-changes', parsed['batch-changes']));
  if (parsed.encoding !== undefined) {
    if (!BACKFILL_ENCODINGS.includes(parsed.encoding as BackfillEncoding)) throw new BackfillError('invalid_options', `--encoding must be columnar or changes (got ${JSON.stringify(parsed.encoding)})`);
    out.encoding = parsed.encoding as BackfillEncoding;
  }
  if (parsed.order !== undefined) {
    if (parsed.order !== 'smallest-first' && parsed.order !== 'largest-first') throw new BackfillError('invalid_options', `--order must be smallest-first or largest-first`);
    out.order = parsed.order;
  }
  if (parsed.progress !== undefined) {
    if (!['auto', 'terminal', 'log', 'none'].includes(parsed.progress)) throw new BackfillError('invalid_options', `--progress must be auto, terminal, log or none`);
    out.progress = parsed.progress as BackfillOptions['progress'];
  }
  set('slotName', parsed.slot);
  set('topicPrefix', parsed['topic-prefix']);
  if (parsed.table !== undefined) {
    const [schema, table, extra] = parsed.table.split('.');
    if (!schema || !table || extra !== undefined) throw new BackfillError('invalid_options', `--table must be SCHEMA.TABLE (got ${JSON.stringify(parsed.table)})`);
    out.sourceTable = { schema, table };
  }
  return out;
}
