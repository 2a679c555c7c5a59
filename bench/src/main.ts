// `npm run bench [-- --quick] [--repeats N] [--only backfill,kafka] [--services bundle|source]`: every scenario in one process run,
// baselines next to fleetpivot on the same data, results under bench/results/.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureStack } from '@fleetpivot/stack';
import { backfillCases, backfillScenario } from './backfill.ts';
import { idleHostPressure } from './host-pressure.ts';
import { log, notMeasured, type RunOptions, type ScenarioResult } from './harness.ts';
import { kafkaClientScenario } from './kafka-clients.ts';
import { machineFacts } from './machine.ts';
import { pipelineParts } from './pipeline.ts';
import { prepareServices } from './services.ts';
import { runProfile } from './profile.ts';
import { writeReport, type RunReport } from './report.ts';

function options(): RunOptions {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, channels: { type: 'string' }, repeats: { type: 'string' }, only: { type: 'string' }, services: { type: 'string', default: 'bundle' } },
    allowPositionals: false,
  });
  const quick = values.quick ?? false;
  if (values.services !== 'bundle' && values.services !== 'source') throw new Error(`--services must be bundle or source, not ${values.services}`);
  return { quick, servicesFrom: values.services, profile: values.profile ?? false, channels: values.channels ? Number(values.channels) : 100, repeats: values.repeats ? Number(values.repeats) : quick ? 1 : 3, only: values.only ? values.only.split(',') : [] };
}

interface Planned {
  id: string;
  run: () => Promise<ScenarioResult>;
}

async function main(): Promise<void> {
  const opts = options();
  const startedAt = new Date();
  const stack = await ensureStack({ env: process.env });
  await prepareServices(opts.servicesFrom);
  if (opts.profile) {
    const out = await runProfile(stack, opts.quick ? 200_000 : 1_000_000, join(import.meta.dirname, '..', 'results'), opts.channels);
    log(`profile summary: ${out}`);
    return;
  }
  const machine = await machineFacts(stack);
  log(`${opts.quick ? 'quick' : 'full'} run, ${opts.repeats} repeats, services from ${opts.servicesFrom}, ${machine.cpus} cpus, PostgreSQL ${machine.postgres}, Kafka ${machine.kafka}`);
  const parts = await pipelineParts(stack, opts);
  const backfills = backfillCases(opts.quick).map((c) => ({ id: `backfill/${c.channels}ch/${c.rows}`, rows: c.rows, run: () => backfillScenario(stack, c, opts, parts.backfill) }));
  // The 10M-row datasets take most of a full run: last, so everything else is in the report early.
  const planned: Planned[] = [
    ...backfills.filter((b) => b.rows < 10_000_000),
    { id: 'kafka/clients', run: () => kafkaClientScenario(stack, opts) },
    ...parts.scenarios(opts),
    ...backfills.filter((b) => b.rows >= 10_000_000),
  ];
  const scenarios: ScenarioResult[] = [];
  const resultsDir = join(import.meta.dirname, '..', 'results');
  const report = (): RunReport => {
    const now = new Date();
    return {
      startedAt: startedAt.toISOString(),
      finishedAt: now.toISOString(),
      durationS: (now.getTime() - startedAt.getTime()) / 1000,
      mode: opts.quick ? 'quick' : 'full',
      repeats: opts.repeats,
      servicesFrom: opts.servicesFrom,
      machine,
      scenarios,
      plots: [],
    };
  };
  for (const p of planned) {
    // Whole path segments: `backfill/100ch/1000000` must not also pick `backfill/100ch/10000000`.
    if (opts.only.length && !opts.only.some((o) => p.id === o || p.id.startsWith(o.endsWith('/') ? o : `${o}/`))) continue;
    log(`scenario ${p.id}`);
    try {
      const hostPressureIdlePct = await idleHostPressure();
      log(`  host CPU pressure with the suite idle: ${hostPressureIdlePct ?? 'n/a'} %`);
      scenarios.push({ ...(await p.run()), hostPressureIdlePct });
    } catch (err) {
      const reason = `scenario failed: ${err instanceof Error ? err.message : String(err)}`;
      log(`  ${reason}`);
      scenarios.push({ id: p.id, title: p.id, params: {}, measurements: [notMeasured('harness', 'scenario', '', true, reason)], comparisons: [], elapsedS: 0 });
    }
    // After every scenario, so an interrupted run keeps what it measured (the summary says how far it got).
    await writeReport(resultsDir, report());
  }
  const final = report();
  const written = await writeReport(resultsDir, final);
  log(`done in ${Math.round(final.durationS)} s: ${written.json}, ${written.markdown}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
