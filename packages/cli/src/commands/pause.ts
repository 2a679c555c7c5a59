import { migrateControl, pause as pauseShips, resume as resumeShips, type ShipSelection } from '@fleetpivot/control';
import { SINK_COMPONENT, SINK_MIGRATIONS } from '@fleetpivot/sink-pg';
import { runMigrations } from '@fleetpivot/pgkit';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseOptions } from '../args.ts';
import { actor, connect, connectionOptions, connectionUsage, shipList, type Connections } from '../connections.ts';

const spec = { ...connectionOptions, ships: { type: 'string' }, all: { type: 'boolean' }, reason: { type: 'string' } } as const;

function selection(values: Record<string, unknown>): ShipSelection {
  const ships = shipList(values as never);
  if (values.all && ships) throw new UsageError('give --all or --ships, not both');
  if (values.all) return 'all';
  if (!ships || ships.length === 0) throw new UsageError('give --ships A,B or --all');
  return ships;
}

async function migrated(c: Connections): Promise<void> {
  const client = await c.target.connect();
  try {
    await runMigrations(client, SINK_COMPONENT, SINK_MIGRATIONS);
  } finally {
    client.release();
  }
  await migrateControl(c.target);
}

async function run(kind: 'pause' | 'resume', args: string[], io: CommandIo): Promise<number> {
  const values = parseOptions(args, spec);
  const ships = selection(values);
  const c = await connect(values, io);
  try {
    await migrated(c);
    const state =
      kind === 'pause'
        ? await pauseShips(c.target, ships, actor(io), typeof values.reason === 'string' ? values.reason : '')
        : await resumeShips(c.target, ships, actor(io));
    io.stdout(`${kind}d ${ships === 'all' ? 'all ships' : ships.join(', ')}; now paused: ${state.all ? 'ALL ships' : [...state.ships].join(', ') || 'none'}`);
    return 0;
  } finally {
    await c.close();
  }
}

const usage = (kind: string, what: string) => `fleetpivot ${kind} (--ships A,B | --all)${kind === 'pause' ? ' [--reason TEXT]' : ''}
${what}
${connectionUsage}`;

export const pause: Command = {
  name: 'pause',
  summary: 'pause the pivot consumers for chosen ships or all (the rollback lever; Kafka keeps the backlog)',
  usage: usage('pause', 'Consumers stop applying the ships within about a second; a paused ship holds back its whole Kafka partition.'),
  run: (args, io) => run('pause', args, io),
};

export const resume: Command = {
  name: 'resume',
  summary: 'resume the pivot consumers for chosen ships or all',
  usage: usage('resume', '--all lifts every pause (the all-ships one and each ship\'s).'),
  run: (args, io) => run('resume', args, io),
};
