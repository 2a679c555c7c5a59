import { migrateControl, rollbackShip } from '@fleetpivot/control';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseOptions } from '../args.ts';
import { actor, connect, connectionOptions, connectionUsage } from '../connections.ts';

export const rollback: Command = {
  name: 'rollback',
  summary: 'roll a ship back: pause it, drop its wide tables and catalog entries (the narrow table is untouched)',
  usage: `fleetpivot rollback --ship ID [--reason TEXT]
Pauses the ship, drops its wide tables, catalog rows and tombstones, and leaves it paused. Backfill jobs that
exist now are fenced: the pivot drops what they still send for the ship. To rebuild it (a new job):
  fleetpivot backfill --ships ID --new-job && fleetpivot resume --ships ID
${connectionUsage}`,
  run: async (args, io) => {
    const values = parseOptions(args, { ...connectionOptions, ship: { type: 'string' }, reason: { type: 'string' } });
    if (typeof values.ship !== 'string' || values.ship === '') throw new UsageError('give --ship ID');
    const c = await connect(values, io);
    try {
      await migrateControl(c.target);
      const r = await rollbackShip(c.target, values.ship, { actor: actor(io), reason: typeof values.reason === 'string' ? values.reason : 'rollback' });
      io.stdout(`rolled back ${r.shipId}: dropped ${r.droppedTables.join(', ')} (${r.channels} channels); the ship stays paused`);
      io.stdout(`backfill jobs up to id ${r.backfillJobFence} are fenced: the pivot drops what they still send for this ship`);
      io.stdout(`rebuild: fleetpivot backfill --ships ${r.shipId} --new-job && fleetpivot resume --ships ${r.shipId}`);
      return 0;
    } finally {
      await c.close();
    }
  },
};
