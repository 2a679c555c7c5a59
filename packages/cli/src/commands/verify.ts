import { shipsAcross, shipsToVerify, verifyShip, verifyShipAcross } from '@fleetpivot/sink-pg';
import { migrateControl, recordAudit } from '@fleetpivot/control';
import type { Command } from '../command.ts';
import { parseOptions } from '../args.ts';
import { actor, connect, connectionOptions, connectionUsage, shipList } from '../connections.ts';

export const verify: Command = {
  name: 'verify',
  summary: 'compare the narrow table with the wide tables, ship by ship, cell for cell (counts and values)',
  usage: `fleetpivot verify [--ships A,B] [--json]
Compares every non-empty narrow cell (the value its value_format names) with its wide cell, and every wide cell
with the narrow table. Exit 0 when every ship matches, 1 otherwise. When the narrow and wide tables are in different
databases (--target-url differs from --source-url), each ship's narrow rows are copied into a temporary table on the
target for the comparison.
  --ships A,B          only these ships (default: every ship in the narrow table or the catalog)
  --narrow-schema S    default tenant
  --narrow-table T     default tbl_data_timeseries
  --json               one JSON object: { verified, ships: [{ shipId, expectedCells, actualCells, mismatches, sample }] }
${connectionUsage}`,
  run: async (args, io) => {
    const values = parseOptions(args, { ...connectionOptions, ships: { type: 'string' }, json: { type: 'boolean' }, 'narrow-schema': { type: 'string' }, 'narrow-table': { type: 'string' } });
    const narrow = { schema: String(values['narrow-schema'] ?? 'tenant'), table: String(values['narrow-table'] ?? 'tbl_data_timeseries') };
    const c = await connect(values, io);
    try {
      const across = c.target !== c.source;
      const ships = shipList(values) ?? (across ? await shipsAcross(c.source, c.target, narrow) : await shipsToVerify(c.target, narrow));
      const results = [];
      for (const ship of ships) {
        const r = across ? await verifyShipAcross(c.source, c.target, narrow, ship) : await verifyShip(c.target, narrow, ship);
        results.push(r);
        if (!values.json) io.stdout(`${r.mismatches === 0 ? 'ok      ' : 'MISMATCH'}  ${ship}  narrow cells ${r.expectedCells}  wide cells ${r.actualCells}  mismatches ${r.mismatches}`);
      }
      const verified = results.every((r) => r.mismatches === 0 && r.expectedCells === r.actualCells);
      await migrateControl(c.target);
      await recordAudit(c.target, {
        actor: actor(io),
        action: 'verify',
        target: shipList(values)?.join(',') ?? 'all',
        outcome: verified ? 'ok' : 'failed',
        details: { ships: results.length, mismatches: results.reduce((n, r) => n + r.mismatches, 0) },
      });
      if (values.json) io.stdout(JSON.stringify({ verified, ships: results }));
      else io.stdout(verified ? `verified: ${results.length} ships match` : `NOT verified: ${results.filter((r) => r.mismatches > 0).length} of ${results.length} ships differ`);
      return verified ? 0 : 1;
    } finally {
      await c.close();
    }
  },
};
