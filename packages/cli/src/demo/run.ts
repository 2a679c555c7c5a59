import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { changeTopic } from '@fleetpivot/events';
import { createPool, quoteQualified } from '@fleetpivot/pgkit';
import { createNarrowTable, loadHistory, startLive } from '@fleetpivot/simulator';
import { dropDatabase, ensureDatabase, ensureStack, freePort } from '@fleetpivot/stack';
import { verifyAll } from '@fleetpivot/sink-pg';
import { runBackfill } from '@fleetpivot/backfill';
import { createKafkajsTransport } from '@fleetpivot/transport-kafka';
import { createLogger } from '@fleetpivot/telemetry';
import type { CommandIo } from '../command.ts';
import type { DemoOptions } from './options.ts';
import { drain } from './drain.ts';
import { humanReport, summarize, type DemoReport } from './report.ts';
import { REPO_ROOT, startService, waitReady, type ServiceProcess } from './service-process.ts';

const DATABASE = 'fleetpivot_demo';
const SLOT = 'fleetpivot_demo';
const GROUP = 'fleetpivot-demo-pivot';
const WIDE_SCHEMA = 'fleetpivot_wide';
const NARROW = { schema: 'tenant', table: 'tbl_data_timeseries' };

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The whole migration, end to end, on a fresh database: the README's `npm run demo`. */
export async function runDemo(o: DemoOptions, io: CommandIo): Promise<DemoReport> {
  const started = Date.now();
  const say = (line: string) => (o.json ? io.stderr(line) : io.stdout(line));
  const logger = createLogger({ service: 'demo', level: 'warn', destination: process.stderr });
  say('• starting the stack (PostgreSQL + Kafka)…');
  const stack = await ensureStack({ env: io.env });
  // A rerun starts clean: a new database (slots dropped with it) and a new topic prefix; old demo topics go.
  await dropDatabase(stack.adminUrl, DATABASE);
  await ensureDatabase(stack.adminUrl, DATABASE);
  const url = withDatabase(stack.adminUrl, DATABASE);
  const prefix = `fleetpivot_demo_${Date.now().toString(36)}`;
  const topic = changeTopic(prefix);
  const transport = createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId: 'fleetpivot-demo', logger });
  const admin = await transport.admin();
  const oldTopics = (await admin.listTopics()).filter((t) => t.startsWith('fleetpivot_demo_'));
  if (oldTopics.length > 0) await admin.deleteTopics(oldTopics);
  const pool = createPool({ connectionString: url, applicationName: 'fleetpivot-demo', max: 4 });
  const logDir = join(REPO_ROOT, '.stack', 'demo');
  await mkdir(logDir, { recursive: true });
  const services: ServiceProcess[] = [];
  try {
    await createNarrowTable(pool, { primaryKey: true });
    say(`• simulating ${o.ships} ships × ${o.channels} channels: ${o.historyRows.toLocaleString('en')} rows of history…`);
    const history = await loadHistory(pool, { seed: o.seed, ships: o.ships, channels: o.channels, rows: o.historyRows });
    const common = { ...io.env, KAFKA_BROKERS: stack.kafkaBrokers.join(','), LOG_LEVEL: 'info' };
    const capturePort = await freePort();
    const pivotPort = await freePort();
    say('• starting capture (logical replication slot → Kafka) and pivot (Kafka → wide tables)…');
    const capture = startService('capture', {
      ...common,
      FLEETPIVOT_SOURCE_URL: url,
      FLEETPIVOT_TOPIC_PREFIX: prefix,
      FLEETPIVOT_SLOT_NAME: SLOT,
      CAPTURE_PUBLICATION_NAME: SLOT,
      CAPTURE_TOPIC_PARTITIONS: '6',
      CAPTURE_HEARTBEAT_INTERVAL_MS: '1000',
      CAPTURE_STATUS_INTERVAL_MS: '500',
      CAPTURE_HTTP_PORT: String(capturePort),
    }, capturePort, logDir);
    services.push(capture);
    await waitReady(capture);
    const pivot = startService('pivot', {
      ...common,
      FLEETPIVOT_TARGET_URL: url,
      FLEETPIVOT_TOPIC_PREFIX: prefix,
      PIVOT_GROUP_ID: GROUP,
      PIVOT_SCHEMA: WIDE_SCHEMA,
      PIVOT_COLUMN_MODE: o.mode,
      PIVOT_PARTITIONS_CONCURRENTLY: '2',
      PIVOT_HTTP_PORT: String(pivotPort),
    }, pivotPort, logDir);
    services.push(pivot);
    await waitReady(pivot);
    say(`• the fleet keeps writing for ${o.liveSeconds} s while the backfill replays history…`);
    const live = startLive(pool, {
      seed: o.seed,
      ships: o.ships,
      channels: o.channels,
      history: { fleet: history.fleet, firstStep: history.firstStep, endStep: history.endStep, partialFirstStep: history.partialFirstStep },
      intervalMs: 1_000,
      batchMs: 60_000,
      durationMs: o.liveSeconds * 1_000,
      lateRate: 0.05,
      updateRate: 0.02,
      deleteRate: 0.01,
      newChannelRate: 0.05,
      newShipRate: 0.05,
    });
    const backfill = await runBackfill(
      { sourceUrl: url, targetUrl: url, kafkaBrokers: stack.kafkaBrokers, topicPrefix: prefix, slotName: SLOT, progress: o.json ? 'none' : 'auto' },
      { logger, transport, signal: io.signal },
    );
    const liveStats = await live.done;
    say('• writers stopped; draining capture and pivot…');
    const drained = await drain(pool, admin, { slot: SLOT, groupId: GROUP, topic, timeoutMs: 300_000 });
    say('• verifying every ship, cell for cell…');
    const results = await verifyAll(pool, NARROW);
    const counts = await countRows(pool);
    const report: DemoReport = {
      ...summarize(results),
      ...counts,
      ships: results.length,
      seconds: (Date.now() - started) / 1000,
      historyRows: history.rows,
      backfill: { rows: backfill.rows, seconds: backfill.seconds, jobId: backfill.jobId },
      live: { inserts: liveStats.inserted + liveStats.lateInserted, updates: liveStats.updated, deletes: liveStats.deleted, ticks: liveStats.ticks, newShips: liveStats.newShips, newChannels: liveStats.newChannels },
      drainSeconds: drained.seconds,
      database: url,
      wideSchema: WIDE_SCHEMA,
      topic,
      logs: logDir,
    };
    if (o.json) io.stdout(JSON.stringify(report));
    else for (const line of humanReport(report)) io.stdout(line);
    return report;
  } finally {
    for (const s of services.reverse()) await s.stop();
    // An inactive slot would pin WAL on this server forever; the demo's data stays, its slot does not.
    await pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [SLOT]).catch(() => undefined);
    await admin.close();
    await pool.end();
  }
}

async function countRows(pool: ReturnType<typeof createPool>): Promise<{ narrowRows: number; wideRows: number; channels: number }> {
  const narrow = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(NARROW.schema, NARROW.table)}`);
  const parts = await pool.query<{ ship_id: string; table_schema: string; table_name: string }>(
    'SELECT ship_id, table_schema, table_name FROM fleetpivot.ship_tables ORDER BY ship_id, part',
  );
  const byShip = new Map<string, string[]>();
  for (const p of parts.rows) byShip.set(p.ship_id, [...(byShip.get(p.ship_id) ?? []), quoteQualified(p.table_schema, p.table_name)]);
  let wideRows = 0;
  for (const tables of byShip.values()) {
    // A ship's wide row may live in several part tables; count distinct timestamps across them.
    const union = tables.map((t) => `SELECT created_time FROM ${t}`).join(' UNION ');
    const r = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${union}) u`);
    wideRows += Number(r.rows[0]!.n);
  }
  const channels = await pool.query<{ n: string }>('SELECT count(*) AS n FROM fleetpivot.channel_columns');
  return { narrowRows: Number(narrow.rows[0]!.n), wideRows, channels: Number(channels.rows[0]!.n) };
}
