import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';

const execFileAsync = promisify(execFile);

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command, optionally as another OS user (initdb and postgres refuse to run as root). */
export async function run(cmd: string, args: readonly string[], options: { asUser?: string; cwd?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = options.asUser && asRoot ? ['runuser', ['-u', options.asUser, '--', cmd, ...args]] : [cmd, [...args]];
  const { stdout, stderr } = await execFileAsync(file, argv, {
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { stdout, stderr };
}

/** True when nothing listens on 127.0.0.1:port (so a server of ours can take it). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (for a child service's HTTP server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
