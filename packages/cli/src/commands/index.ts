// The subcommand registry: one line per command file. `fleetpivot --help` lists them in this order.
export { simulate } from './simulate.ts';
export { backfill } from './backfill.ts';
export { demo } from './demo.ts';
export { verify } from './verify.ts';
export { pause, resume } from './pause.ts';
export { rollback } from './rollback.ts';
export { status } from './status.ts';
