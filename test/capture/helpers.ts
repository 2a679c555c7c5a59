import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ChangeBatchCodec } from '@fleetpivot/events';
import type { ChangeBatch } from '@fleetpivot/events';
import type { StackInfo } from '@fleetpivot/stack';
import { testTransport, uniqueName } from '@fleetpivot/testing';
import type { Consumer } from '@fleetpivot/transport-kafka';
import { logChildTo } from '../support/child-log.ts';

export interface Received {
  partition: number;
  offset: number;
  key: string | null;
  batch: ChangeBatch;
}

/**
 * Reads the topic from the beginning until `done(all)` holds or the timeout passes. A fresh consumer
 * group occasionally receives nothing for a minute (seen a few times on the shared 2-core machine, cause
 * not found): one retry with a new group after half the time keeps such a stall from failing the test.
 */
export async function readTopic(stack: StackInfo, topic: string, done: (all: Received[]) => boolean, timeoutMs = 60_000): Promise<Received[]> {
  const first = await readTopicOnce(stack, topic, done, timeoutMs / 2);
  if (done(first)) return first;
  console.warn(`readTopic: ${first.length} messages from ${topic} after ${timeoutMs / 2} ms; retrying with a new group`);
  return readTopicOnce(stack, topic, done, timeoutMs / 2);
}

async function readTopicOnce(stack: StackInfo, topic: string, done: (all: Received[]) => boolean, timeoutMs: number): Promise<Received[]> {
  const codec = new ChangeBatchCodec();
  const consumer = await testTransport(stack).consumer({ groupId: uniqueName('capture_test'), maxWaitMs: 100 });
  const all: Received[] = [];
  const next = new Map<number, number>();
  try {
    await consumer.subscribe([topic], true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), timeoutMs);
      consumer
        .run({
          eachBatch: async (b) => {
            for (const m of b.messages) {
              if (Number(m.offset) < (next.get(b.partition) ?? 0)) continue;
              all.push({
                partition: b.partition,
                offset: Number(m.offset),
                key: m.key ? m.key.toString('utf8') : null,
                batch: codec.decode(m.value as Buffer, ChangeBatchCodec.versionFromHeaders(m.headers)),
              });
            }
            advance(consumer, next, topic, b.partition, b.messages);
            if (done(all)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.close();
  }
  return all.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/**
 * The transport's consumer re-delivers a batch until its offsets move (it neither auto-resolves nor
 * advances on commit); these readers never commit, so they seek past what they have read and skip
 * anything re-delivered.
 */
function advance(consumer: Consumer, next: Map<number, number>, topic: string, partition: number, messages: readonly { offset: string }[]): void {
  const last = messages[messages.length - 1];
  if (!last) return;
  next.set(partition, Number(last.offset) + 1);
  consumer.seek({ topic, partition, offset: String(Number(last.offset) + 1) });
}

export const changeCount = (all: Received[]) => all.reduce((n, r) => n + r.batch.changes.length, 0);

/** Must match the NODE_OPTIONS documented in services/capture/README.md. */
export const CAPTURE_NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=160';

export interface CaptureEnv {
  FLEETPIVOT_SOURCE_URL: string;
  KAFKA_BROKERS: string;
  FLEETPIVOT_TOPIC_PREFIX: string;
  FLEETPIVOT_SLOT_NAME: string;
  CAPTURE_PUBLICATION_NAME: string;
  [key: string]: string;
}

export function captureEnv(stack: StackInfo, dbUrl: string, extra: Record<string, string> = {}): CaptureEnv {
  const name = uniqueName('cap');
  return {
    FLEETPIVOT_SOURCE_URL: dbUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    FLEETPIVOT_TOPIC_PREFIX: name,
    FLEETPIVOT_SLOT_NAME: name,
    CAPTURE_PUBLICATION_NAME: name,
    CAPTURE_TOPIC_PARTITIONS: '3',
    CAPTURE_HTTP_PORT: '0',
    CAPTURE_STATUS_INTERVAL_MS: '500',
    CAPTURE_STANDBY_POLL_MS: '200',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface CaptureProcess {
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  log(): string;
  /** Resolves when the log shows `message` (a pino msg) or rejects after the timeout. */
  waitForLog(message: string, timeoutMs?: number): Promise<void>;
}

/** `node services/capture/src/main.ts` as a real child process, its JSON logs in a file. */
export function spawnCapture(env: Record<string, string>, label: string): CaptureProcess {
  const logFile = `/tmp/${uniqueName(`capture_${label}`)}.log`;
  const child = spawn(process.execPath, ['services/capture/src/main.ts'], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = logChildTo(child, logFile).then((e) => e.code);
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    child,
    logFile,
    exited,
    log,
    async waitForLog(message: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (log().includes(`"msg":"${message}"`)) return;
        if (child.exitCode !== null) throw new Error(`capture exited (${child.exitCode}) before "${message}":\n${log().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for "${message}":\n${log().slice(-3000)}`);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads every message up to the current log end of each partition. */
export async function readTopicToEnd(stack: StackInfo, topic: string, timeoutMs = 120_000): Promise<Received[]> {
  const admin = await testTransport(stack).admin();
  let ends: Map<number, string>;
  try {
    ends = await admin.logEndOffsets(topic);
  } finally {
    await admin.close();
  }
  const total = [...ends.values()].reduce((n, e) => n + Number(e), 0);
  const all = await readTopic(stack, topic, (a) => a.length >= total, timeoutMs);
  if (all.length < total) throw new Error(`read ${all.length} of ${total} messages from ${topic}`);
  return all;
}

export interface NarrowRow {
  ship_id: string | null;
  data_channel_id: string | null;
  created_time_us: string;
  value_format: string | null;
  double_v: string | null;
  long_v: string | null;
  str_v: string | null;
  bool_v: boolean | null;
}

export const rowKey = (ship: string | null, ch: string | null, us: unknown) => JSON.stringify([ship, ch, String(us)]);

/** The narrow table as exact text (µs as integers), keyed like `rowKey`. */
export const NARROW_EXACT_SQL = `SELECT ship_id, data_channel_id,
  ((extract(epoch FROM created_time) * 1000000)::numeric(30,0))::text AS created_time_us,
  value_format, double_v::text AS double_v, long_v::text AS long_v, str_v, bool_v
  FROM tenant.tbl_data_timeseries`;

/** Replays the change events per ship in Kafka order (duplicates re-apply the same suffix harmlessly). */
export function replay(all: Received[]): Map<string, NarrowRow> {
  const state = new Map<string, NarrowRow>();
  for (const r of all) {
    for (const c of r.batch.changes) {
      if (c.op === 'TRUNCATE') {
        state.clear();
        continue;
      }
      if (c.old && (c.op === 'DELETE' || rowKey(c.old.ship_id, c.old.data_channel_id, c.old.created_time_us) !== rowKey(r.batch.ship_id, c.data_channel_id, c.created_time_us))) {
        state.delete(rowKey(c.old.ship_id, c.old.data_channel_id, c.old.created_time_us));
      }
      if (c.op === 'DELETE') continue;
      state.set(rowKey(r.batch.ship_id, c.data_channel_id, c.created_time_us), {
        ship_id: r.batch.ship_id,
        data_channel_id: c.data_channel_id,
        created_time_us: String(c.created_time_us),
        value_format: c.value_format,
        double_v: c.double_v === null ? null : pgFloatText(c.double_v),
        long_v: c.long_v === null ? null : String(c.long_v),
        str_v: c.str_v,
        bool_v: c.bool_v,
      });
    }
  }
  return state;
}

function pgFloatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/** The port from the service's 'http server listening' log line. */
export function httpPort(p: CaptureProcess): number {
  const line = p.log().split('\n').find((l) => l.includes('"msg":"http server listening"'));
  if (!line) throw new Error('no http server line in the log');
  return (JSON.parse(line) as { port: number }).port;
}

export async function probe(port: number, path: string): Promise<{ status: number; body: { ok: boolean; detail?: { state?: string } } }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; detail?: { state?: string } } };
}

/** Peak resident memory of a process (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Streams the topic without keeping it: folds every change into `acc` until `done(acc)`. */
export async function foldTopic<A>(stack: StackInfo, topic: string, acc: A, fold: (acc: A, r: Received) => void, done: (acc: A) => boolean, timeoutMs: number): Promise<A> {
  const codec = new ChangeBatchCodec();
  const consumer = await testTransport(stack).consumer({ groupId: uniqueName('capture_fold'), maxWaitMs: 100 });
  const next = new Map<number, number>();
  try {
    await consumer.subscribe([topic], true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), timeoutMs);
      consumer
        .run({
          eachBatch: async (b) => {
            for (const m of b.messages) {
              if (Number(m.offset) < (next.get(b.partition) ?? 0)) continue;
              const batch = codec.decode(m.value as Buffer, ChangeBatchCodec.versionFromHeaders(m.headers));
              fold(acc, { partition: b.partition, offset: Number(m.offset), key: m.key ? m.key.toString('utf8') : null, batch });
            }
            advance(consumer, next, topic, b.partition, b.messages);
            if (done(acc)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.close();
  }
  return acc;
}
