import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ensureDatabase, ensurePostgres, postgresAdminUrl, postgresRunning, stopPostgres, type PostgresOptions } from './postgres.ts';
import { ensureKafka, kafkaBrokers, kafkaPid, stopKafka, type KafkaOptions } from './kafka.ts';
import { withStackLock } from './lock.ts';

/** Where everything is: what services, tests and the demo connect to. */
export interface StackInfo {
  /** A superuser URL for creating databases (tests clone a template per test file). */
  adminUrl: string;
  sourceUrl: string;
  targetUrl: string;
  kafkaBrokers: string[];
  /** Which parts this process manages locally (false: given by environment variables). */
  local: { postgres: boolean; kafka: boolean };
}

export interface StackOptions {
  /** The environment to read FLEETPIVOT_* / KAFKA_BROKERS from (passed in: packages never read process.env). */
  env?: Record<string, string | undefined>;
  /** Repository root; .stack/ lives under it. */
  rootDir?: string;
}

/** The database the demo and services use on the local cluster (source and target in one database). */
export const LOCAL_DATABASE = 'fleetpivot';

interface Layout {
  stackDir: string;
  postgres: PostgresOptions;
  kafka: KafkaOptions;
}

function layout(options: StackOptions): Layout {
  const env = options.env ?? {};
  const root = options.rootDir ?? resolve(import.meta.dirname, '../../..');
  const stackDir = env.FLEETPIVOT_STACK_DIR ?? join(root, '.stack');
  const pgPort = Number(env.FLEETPIVOT_PG_PORT ?? 54329);
  const kafkaPort = Number(env.FLEETPIVOT_KAFKA_PORT ?? 19092);
  return {
    stackDir,
    postgres: { dir: join(stackDir, 'postgres'), port: pgPort },
    kafka: {
      dir: join(stackDir, 'kafka'),
      libsDir: join(stackDir, 'kafka-libs'),
      pomFile: join(root, 'packages/stack/kafka/pom.xml'),
      port: kafkaPort,
      controllerPort: kafkaPort + 1,
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Brings up whatever is not given by the environment: the project-local PostgreSQL cluster and the
 * single-node Kafka broker. Idempotent and safe to call from many processes at once.
 */
export async function ensureStack(options: StackOptions = {}): Promise<StackInfo> {
  const env = options.env ?? {};
  const l = layout(options);
  return withStackLock(l.stackDir, async () => {
    const externalPg = env.FLEETPIVOT_SOURCE_URL !== undefined;
    const externalKafka = env.KAFKA_BROKERS !== undefined;
    let adminUrl: string;
    let sourceUrl: string;
    let targetUrl: string;
    if (externalPg) {
      sourceUrl = env.FLEETPIVOT_SOURCE_URL!;
      targetUrl = env.FLEETPIVOT_TARGET_URL ?? sourceUrl;
      adminUrl = env.FLEETPIVOT_ADMIN_URL ?? withDatabase(sourceUrl, 'postgres');
    } else {
      adminUrl = await ensurePostgres(l.postgres);
      await ensureDatabase(adminUrl, LOCAL_DATABASE);
      sourceUrl = withDatabase(adminUrl, LOCAL_DATABASE);
      targetUrl = env.FLEETPIVOT_TARGET_URL ?? sourceUrl;
    }
    const brokers = externalKafka
      ? env.KAFKA_BROKERS!.split(',').map((b) => b.trim()).filter(Boolean)
      : await ensureKafka(l.kafka);
    return { adminUrl, sourceUrl, targetUrl, kafkaBrokers: brokers, local: { postgres: !externalPg, kafka: !externalKafka } };
  });
}

export interface StackStatus {
  postgres: { running: boolean; url: string; dir: string };
  kafka: { running: boolean; pid: number | undefined; brokers: string[]; dir: string };
}

export async function stackStatus(options: StackOptions = {}): Promise<StackStatus> {
  const l = layout(options);
  const pid = await kafkaPid(l.kafka);
  return {
    postgres: { running: await postgresRunning(l.postgres), url: postgresAdminUrl(l.postgres.port), dir: l.postgres.dir },
    kafka: { running: pid !== undefined, pid, brokers: kafkaBrokers(l.kafka.port), dir: l.kafka.dir },
  };
}

/** Stops both; data stays unless `purge` (then the next `up` starts from nothing; jars are kept). */
export async function stopStack(options: StackOptions & { purge?: boolean } = {}): Promise<void> {
  const l = layout(options);
  await withStackLock(l.stackDir, async () => {
    await stopKafka(l.kafka);
    await stopPostgres(l.postgres);
    if (options.purge) {
      await rm(l.kafka.dir, { recursive: true, force: true });
      await rm(l.postgres.dir, { recursive: true, force: true });
    }
  });
}
