import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Sends a child's stdout and stderr to one log file and resolves once the child has exited AND everything it
 * wrote is in the file. 'exit' can fire before the pipes have drained, and piping two streams into one file with
 * the default `end: true` closes it when the first one ends (the other's last lines are lost) — a test that read
 * the log right after 'exit' then found it empty now and then.
 */
export function logChildTo(child: ChildProcess, logFile: string): Promise<ChildExit> {
  const out = createWriteStream(logFile);
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  return new Promise((resolve) => child.once('close', (code, signal) => out.end(() => resolve({ code, signal }))));
}
