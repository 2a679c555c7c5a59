import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceProcess, type ServiceName } from '@fleetpivot/config';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export interface ServiceProcess {
  name: string;
  port: number;
  logFile: string;
  child: ChildProcess;
  /** SIGTERM, then wait for exit (the services finish in-flight work and confirm on SIGTERM). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts `services/<name>/src/main.ts` as its own process (as in production), logging JSON lines to a file. */
export function startService(name: ServiceName, env: Record<string, string | undefined>, port: number, logDir: string): ServiceProcess {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const launch = serviceProcess(name, env);
  const child = spawn(process.execPath, [...launch.nodeArgs, join(REPO_ROOT, 'services', name, 'src', 'main.ts')], {
    env: launch.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    name,
    port,
    logFile,
    child,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits until the service's /readyz answers 200 (the capture: once it holds the slot). */
export async function waitReady(service: Pick<ServiceProcess, 'name' | 'port' | 'child' | 'logFile'>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with code ${service.child.exitCode}; see ${service.logFile}`);
    const ok = await fetch(`http://127.0.0.1:${service.port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service.name} not ready after ${timeoutMs} ms; see ${service.logFile}`);
}
