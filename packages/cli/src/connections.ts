import { userInfo } from 'node:os';
import { createPool, type Pool } from '@fleetpivot/pgkit';
import { ensureStack } from '@fleetpivot/stack';
import type { CommandIo } from './command.ts';
import type { OptionValues } from './args.ts';

export const connectionOptions = {
  'source-url': { type: 'string' },
  'target-url': { type: 'string' },
} as const;

export const connectionUsage = `  --source-url URL     the narrow table's database (default FLEETPIVOT_SOURCE_URL, else the local stack)
  --target-url URL     the wide tables' database (default FLEETPIVOT_TARGET_URL, else the source)`;

export interface Connections {
  source: Pool;
  target: Pool;
  kafkaBrokers: string[];
  close(): Promise<void>;
}

/** Flags first, then the environment, then the local stack (started if needed). */
export async function connect(values: OptionValues, io: CommandIo): Promise<Connections> {
  const flagSource = typeof values['source-url'] === 'string' ? values['source-url'] : undefined;
  const flagTarget = typeof values['target-url'] === 'string' ? values['target-url'] : undefined;
  const env = { ...io.env, ...(flagSource ? { FLEETPIVOT_SOURCE_URL: flagSource } : {}), ...(flagTarget ? { FLEETPIVOT_TARGET_URL: flagTarget } : {}) };
  const stack = await ensureStack({ env });
  const source = createPool({ connectionString: stack.sourceUrl, applicationName: 'fleetpivot-cli', max: 2 });
  const target = stack.targetUrl === stack.sourceUrl ? source : createPool({ connectionString: stack.targetUrl, applicationName: 'fleetpivot-cli', max: 2 });
  return {
    source,
    target,
    kafkaBrokers: stack.kafkaBrokers,
    close: async () => {
      await source.end();
      if (target !== source) await target.end();
    },
  };
}

/** Who ran an operator command, for the audit log. */
export function actor(io: CommandIo): string {
  return io.env.FLEETPIVOT_ACTOR ?? `${userInfo().username}@cli`;
}

export function shipList(values: OptionValues): string[] | undefined {
  const raw = values.ships;
  if (typeof raw !== 'string') return undefined;
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
