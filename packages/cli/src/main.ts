import type { Command, CommandIo } from './command.ts';
import { UsageError } from './command.ts';
import * as registry from './commands/index.ts';

export const commands: readonly Command[] = Object.values(registry);

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: fleetpivot <command> [options]   (fleetpivot <command> --help for its options)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Dispatches argv (without node and script) to a registered command; returns the exit code. */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`fleetpivot: unknown command ${JSON.stringify(name)}\n${helpText()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`fleetpivot ${name}: ${err.message}\n(see fleetpivot ${name} --help)`);
      return 2;
    }
    const e = err as Error;
    io.stderr(`fleetpivot ${name} failed: ${e.message}`);
    if (e.cause instanceof Error && !e.message.includes(e.cause.message)) io.stderr(`  cause: ${e.cause.message}`);
    return 1;
  }
}
