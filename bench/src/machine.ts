// Machine facts recorded with every result: absolute numbers only mean something next to these.
import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem, release } from 'node:os';
import pg from 'pg';
import type { StackInfo } from '@fleetpivot/stack';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage: number[];
  kernel: string;
  node: string;
  postgres: string;
  kafka: string;
  gitCommit: string;
  gitDirty: boolean;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function kafkaVersion(): string {
  // The local stack runs Kafka from Maven jars: the kafka-server-<version>.jar name carries the version.
  try {
    const jars = execFileSync('bash', ['-c', 'ls .stack/kafka-libs 2>/dev/null | grep -E "^kafka-server-[0-9.]+\\.jar$" | head -1'], { encoding: 'utf8' }).trim();
    const m = /^kafka-server-([0-9.]+)\.jar$/.exec(jars);
    return m?.[1] ?? 'unknown (external broker)';
  } catch {
    return 'unknown';
  }
}

export async function machineFacts(stack: StackInfo): Promise<MachineFacts> {
  const client = new pg.Client({ connectionString: stack.adminUrl });
  await client.connect();
  const version = await client.query<{ server_version: string }>('SHOW server_version').finally(() => client.end());
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    kernel: release(),
    node: process.version,
    postgres: version.rows[0]?.server_version ?? 'unknown',
    kafka: kafkaVersion(),
    gitCommit: git(['rev-parse', '--short', 'HEAD']),
    gitDirty: git(['status', '--porcelain', '--untracked-files=no']).length > 0,
  };
}
