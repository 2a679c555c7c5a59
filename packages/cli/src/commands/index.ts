// The subcommand registry: one line per command file. `fleetpivot --help` lists them in this order.
export { simulate } from './simulate.ts';
export { backfill } from './backfill.ts';
export { demo } from './demo.ts';
