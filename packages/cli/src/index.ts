export { runCli, commands, helpText } from './main.ts';
export { UsageError } from './command.ts';
export type { Command, CommandIo } from './command.ts';
export { parseOptions, intOption, numberOption, rateOption, dateOption } from './args.ts';
export { startService, waitReady, REPO_ROOT } from './demo/service-process.ts';
export type { ServiceProcess } from './demo/service-process.ts';
