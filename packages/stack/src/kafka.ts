import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { portFree, processAlive, run, sleep } from './exec.ts';
import { StackError } from './errors.ts';
import { kafkaClusterId } from './cluster-id.ts';

export interface KafkaOptions {
  dir: string;
  /** Folder with kafka_2.13 and its dependencies, fetched by Maven from packages/stack/kafka/pom.xml. */
  libsDir: string;
  pomFile: string;
  port: number;
  controllerPort: number;
  heapMb?: number;
}

export const kafkaBrokers = (port: number) => [`127.0.0.1:${port}`];

async function javaAvailable(): Promise<void> {
  try {
    await run('java', ['-version']);
  } catch (err) {
    throw new StackError('java_missing', 'Java not found: run `apt-get install -y openjdk-17-jre-headless`', { cause: err });
  }
}

/** Fetches the broker jars once; they live outside git. */
export async function ensureKafkaJars(o: KafkaOptions): Promise<void> {
  const have = existsSync(o.libsDir) && (await readdir(o.libsDir)).some((f) => f.startsWith('kafka_2.13-'));
  if (have) return;
  try {
    await run('mvn', ['-q', '-B', '-f', o.pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${o.libsDir}`, '-DincludeScope=runtime'], { timeoutMs: 600_000 });
  } catch (err) {
    throw new StackError(
      'maven_failed',
      `Maven could not fetch the Kafka jars (is Maven installed — apt-get install -y maven — and Maven Central reachable?): ${(err as Error).message.slice(0, 400)}`,
      { cause: err },
    );
  }
}

function serverProperties(o: KafkaOptions): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(o.dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'message.max.bytes=16777216',
    'replica.fetch.max.bytes=16777216',
    'log.retention.hours=168',
    'log.segment.bytes=268435456',
    'delete.topic.enable=true',
  ].join('\n');
}

const pidFile = (o: KafkaOptions) => join(o.dir, 'kafka.pid');

export async function kafkaPid(o: KafkaOptions): Promise<number | undefined> {
  const pid = Number(await readFile(pidFile(o), 'utf8').catch(() => ''));
  return pid > 0 && processAlive(pid) ? pid : undefined;
}

/** Formats storage once, starts the broker detached, and waits until an admin call succeeds. */
export async function ensureKafka(o: KafkaOptions): Promise<string[]> {
  const brokers = kafkaBrokers(o.port);
  if (await kafkaPid(o)) {
    await waitForKafka(brokers);
    return brokers;
  }
  for (const port of [o.port, o.controllerPort]) {
    if (!(await portFree(port))) throw new StackError('port_in_use', `port ${port} is taken by another process; stop it or set FLEETPIVOT_KAFKA_PORT`);
  }
  await javaAvailable();
  await ensureKafkaJars(o);
  await mkdir(o.dir, { recursive: true });
  const props = join(o.dir, 'server.properties');
  await writeFile(props, serverProperties(o));
  const classpath = `${o.libsDir}/*`;
  if (!existsSync(join(o.dir, 'data', 'meta.properties'))) {
    const clusterId = kafkaClusterId();
    await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', props, '--ignore-formatted']);
  }
  const log = openSync(join(o.dir, 'kafka.log'), 'a');
  const heap = `${o.heapMb ?? 768}m`;
  const child = spawn(
    'java',
    [`-Xms${heap}`, `-Xmx${heap}`, '-XX:+UseG1GC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath, 'kafka.Kafka', props],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  await writeFile(pidFile(o), String(child.pid));
  try {
    await waitForKafka(brokers, 90_000);
  } catch (err) {
    throw new StackError('start_failed', `Kafka did not become ready; see ${join(o.dir, 'kafka.log')}`, { cause: err });
  }
  return brokers;
}

/** Readiness is an admin call answering (metadata + topic list), not an open port. */
export async function waitForKafka(brokers: string[], timeoutMs = 60_000): Promise<void> {
  const kafka = new Kafka({ clientId: 'fleetpivot-stack', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.listTopics();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new StackError('not_ready', `Kafka at ${brokers.join(',')} not answering admin calls`, { cause: err });
      await sleep(500);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

export async function stopKafka(o: KafkaOptions): Promise<void> {
  const pid = await kafkaPid(o);
  if (!pid) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 120 && processAlive(pid); i++) await sleep(250);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(pidFile(o), { force: true });
}
