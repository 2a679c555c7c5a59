export { runCli, commands, helpText } from './main.ts';
export { UsageError } from './command.ts';
export type { Command, CommandIo } from './command.ts';
export { parseOptions, intOption, numberOption, rateOption, dateOption } from './args.ts';
