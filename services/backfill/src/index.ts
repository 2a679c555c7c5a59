export { backfillConfigSchema, loadBackfillConfig } from './config.ts';
export type { BackfillConfig } from './config.ts';
export { backfillOptionsFrom } from './options.ts';
