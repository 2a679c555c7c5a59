/** What a subcommand gets from the process: output, environment, and a signal that fires on SIGINT/SIGTERM. */
export interface CommandIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}

/**
 * One `fleetpivot <name>` subcommand. Add one file exporting a Command and one line in commands/index.ts.
 * `run` resolves with the exit code; a thrown UsageError exits 2 with its message, any other error exits 1.
 */
export interface Command {
  name: string;
  /** One line for `fleetpivot --help`. */
  summary: string;
  /** Full help for `fleetpivot <name> --help`. */
  usage: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

/** Bad command-line input: the message names the option and what it must be. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
