// Machine facts recorded with every result: absolute numbers only mean something next to these.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /**
   * PostgreSQL's huge_pages setting and the host's huge pages. Without them every new backend faults in each 4 KiB
   * page of shared memory it touches: on this kind of host ~25,000 faults and ~0.6 s of kernel time per backend
   * reading 0.5M rows through an index, which the backfill's fresh connections pay and a reused session does not
   * (docs/performance.md, "The 22:40 round").
   */
  hugePages?: string;
  /** The share of the last 60 s in which a runnable task waited for a CPU (PSI), at start: how busy the host was. Both are absent from reports made before they were recorded. */
  cpuPressureSome60?: number | null;
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

/** A number from a /proc file; null where the kernel does not offer it. */
function procField(path: string, pattern: RegExp): number | null {
  try {
    const m = pattern.exec(readFileSync(path, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function machineFacts(stack: StackInfo): Promise<MachineFacts> {
  const client = new pg.Client({ connectionString: stack.adminUrl });
  await client.connect();
  const version = await client.query<{ server_version: string }>('SHOW server_version');
  const huge = await client.query<{ huge_pages: string }>('SHOW huge_pages').finally(() => client.end());
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
    hugePages: `${huge.rows[0]?.huge_pages ?? 'unknown'}, host HugePages_Total ${procField('/proc/meminfo', /^HugePages_Total:\s+(\d+)/m) ?? 'unknown'}`,
    cpuPressureSome60: procField('/proc/pressure/cpu', /^some .*avg60=([\d.]+)/m),
    kafka: kafkaVersion(),
    gitCommit: git(['rev-parse', '--short', 'HEAD']),
    gitDirty: git(['status', '--porcelain', '--untracked-files=no']).length > 0,
  };
}
