import { UsageError } from '../command.ts';

export interface DemoOptions {
  ships: number;
  channels: number;
  historyRows: number;
  liveSeconds: number;
  seed: number;
  mode: 'typed' | 'text';
  json: boolean;
}

/** Small enough to finish in about a minute on two cores, big enough to exercise every path. */
export const defaultDemoOptions: DemoOptions = {
  ships: 8,
  channels: 50,
  historyRows: 200_000,
  liveSeconds: 20,
  seed: 42,
  mode: 'typed',
  json: false,
};

export const demoUsage = `fleetpivot demo [options]
Runs the whole migration on the local stack (or FLEETPIVOT_SOURCE_URL / KAFKA_BROKERS): creates a fresh database
'fleetpivot_demo', simulates a fleet's history, starts the capture and pivot services, keeps the fleet writing
(inserts, late rows, updates, deletes, new channels and ships) while the backfill replays history, drains, and
verifies every cell of every ship against the narrow table.
  --ships N            ships at the start (default ${defaultDemoOptions.ships})
  --channels N         channels per ship (default ${defaultDemoOptions.channels})
  --history-rows N     narrow rows of history (default ${defaultDemoOptions.historyRows})
  --live-seconds N     seconds of live writes (one simulated minute per second; default ${defaultDemoOptions.liveSeconds})
  --seed N             deterministic data (default ${defaultDemoOptions.seed})
  --mode typed|text    wide column types (default typed)
  --json               print one JSON object on the last line`;

const INT_FLAGS = { '--ships': 'ships', '--channels': 'channels', '--history-rows': 'historyRows', '--live-seconds': 'liveSeconds', '--seed': 'seed' } as const;

export function parseDemoArgs(args: readonly string[]): DemoOptions {
  const o: DemoOptions = { ...defaultDemoOptions };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === '--json') {
      o.json = true;
      continue;
    }
    const value = args[i + 1];
    if (flag === '--mode') {
      if (value !== 'typed' && value !== 'text') throw new UsageError('--mode must be typed or text');
      o.mode = value;
      i++;
      continue;
    }
    const key = INT_FLAGS[flag as keyof typeof INT_FLAGS];
    if (!key) throw new UsageError(`unknown option ${JSON.stringify(flag)} (see fleetpivot demo --help)`);
    const n = Number(value);
    if (value === undefined || !Number.isSafeInteger(n) || n < (key === 'liveSeconds' ? 0 : 1)) {
      throw new UsageError(`${flag} must be a whole number${key === 'liveSeconds' ? '' : ' >= 1'} (got ${JSON.stringify(value)})`);
    }
    o[key] = n;
    i++;
  }
  return o;
}
