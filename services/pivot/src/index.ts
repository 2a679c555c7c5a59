export { startPivot, defaultPivotOptions } from './pivot.ts';
export type { PivotOptions, RunningPivot } from './pivot.ts';
export { pivotConfigSchema } from './config.ts';
export type { PivotConfig } from './config.ts';
