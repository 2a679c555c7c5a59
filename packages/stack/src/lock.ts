import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive, sleep } from './exec.ts';
import { StackError } from './errors.ts';

/**
 * A cross-process lock (a directory holding the owner's pid), so that parallel test workers, the demo
 * and a developer's `npm run stack up` never start a second broker or cluster. A lock left by a dead
 * process is taken over.
 */
export async function withStackLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const lockDir = join(dir, 'stack.lock');
  const deadline = Date.now() + timeoutMs;
  await mkdir(dir, { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => ''));
      if (owner > 0 && !processAlive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StackError('locked', `stack lock ${lockDir} held by pid ${owner || 'unknown'}; remove it if that process is gone`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
