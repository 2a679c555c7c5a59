// Writes one run's results: JSON (everything), markdown summary (bench/results/latest.md), SVG plots.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineFacts } from './machine.ts';
import type { Comparison, Measurement, ScenarioResult, ServicesFrom } from './harness.ts';
import { flatnessMarkdown, memoryFlatness } from './memory-flatness.ts';
import { histogram } from './stats.ts';
import { barChartSvg, lineChartSvg, type Series } from './svg.ts';

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  mode: 'quick' | 'full';
  repeats: number;
  /** How the services ran (RunOptions.servicesFrom). */
  servicesFrom: ServicesFrom;
  machine: MachineFacts;
  scenarios: ScenarioResult[];
  plots: string[];
}

const num = (n: number): string =>
  !Number.isFinite(n) ? 'n/a' : Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 100) / 100);

/** The issue's targets (issue 6), as the minimum factor a comparison must reach. */
export function targetFor(scenario: ScenarioResult, c: Comparison): number | undefined {
  if (scenario.id.startsWith('backfill/') && c.system === 'fleetpivot') {
    if (c.baseline === 'floor') return 0.5; // within 2× of the floor
    if (c.baseline === 'sql-pivot') return Number(scenario.params.channels) >= 1_000 ? 10 : 2;
  }
  if (c.baseline.startsWith('target ') || c.baseline.startsWith('seed ')) return 1;
  return undefined;
}

function targetCell(scenario: ScenarioResult, c: Comparison): string {
  const t = targetFor(scenario, c);
  if (t === undefined) return '';
  const label = c.baseline === 'floor' ? 'within 2×' : `≥ ${t}×`;
  return c.factor === null ? label : `${label}: ${c.factor >= t ? 'met' : 'NOT met'}`;
}

function cells(m: Measurement): string[] {
  if (m.outcome.kind === 'not measured') return [m.system, m.metric, `not measured: ${m.outcome.reason}`, '', '', m.unit, ''];
  const s = m.outcome.spread;
  return [m.system, m.metric, num(s.min), `**${num(s.median)}**`, num(s.max), m.unit, String(s.n)];
}

export function markdownSummary(report: RunReport): string {
  const m = report.machine;
  const out = [
    `# fleetpivot benchmark — ${report.mode} run`,
    '',
    `${report.startedAt} · ${Math.round(report.durationS)} s · ${report.repeats} repeats per figure (min / **median** / max) · commit ${m.gitCommit}${m.gitDirty ? ' (dirty)' : ''} · services ${report.servicesFrom === 'bundle' ? 'bundled, as in the images' : 'from their TypeScript sources'}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, kernel ${m.kernel}, load ${m.loadAverage.join(' ')} and CPU pressure ${m.cpuPressureSome60 ?? 'n/a'} % at start · Node ${m.node} · PostgreSQL ${m.postgres} (huge_pages ${m.hugePages ?? 'not recorded'}) · Kafka ${m.kafka}`,
    '',
    'Every comparison below is between systems run in this same process run on the same data. "factor" > 1 means the first system is better.',
    '',
  ];
  for (const s of report.scenarios) {
    const pressure = s.hostPressureIdlePct === undefined ? '' : ` · host CPU pressure with the suite idle ${s.hostPressureIdlePct ?? 'n/a'} %`;
    out.push(`## ${s.title}`, '', `\`${s.id}\` · ${Math.round(s.elapsedS)} s${pressure} · ${JSON.stringify(s.params)}`, '');
    out.push('| system | metric | min | median | max | unit | n |', '|---|---|---|---|---|---|---|');
    for (const meas of s.measurements) out.push(`| ${cells(meas).join(' | ')} |`);
    if (s.comparisons.length) {
      out.push('', '| comparison | factor | target | note |', '|---|---|---|---|');
      for (const c of s.comparisons) out.push(`| ${c.system} vs ${c.baseline} (${c.metric}) | ${c.factor === null ? 'n/a' : `${c.factor}×`} | ${targetCell(s, c)} | ${c.note ?? ''} |`);
    }
    out.push('');
  }
  out.push(...flatnessMarkdown(memoryFlatness(report.scenarios)));
  if (report.plots.length) out.push('Plots (in bench/results/, not committed): ' + report.plots.map((p) => `\`${p}\``).join(', '), '');
  return out.join('\n');
}

function throughputPlot(scenarios: readonly ScenarioResult[]): string | undefined {
  const backfill = scenarios.filter((s) => s.id.startsWith('backfill/'));
  if (!backfill.length) return undefined;
  const maxRows = Math.max(...backfill.map((s) => Number(s.params.rows)));
  const bySystem = new Map<string, [number, number][]>();
  for (const s of backfill.filter((x) => Number(x.params.rows) === maxRows)) {
    for (const m of s.measurements) {
      if (m.outcome.kind !== 'measured' || m.metric !== 'throughput') continue;
      const pts = bySystem.get(m.system) ?? [];
      pts.push([Number(s.params.channels), m.outcome.spread.median]);
      bySystem.set(m.system, pts);
    }
  }
  const series: Series[] = [...bySystem].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
  return lineChartSvg({ title: `Backfill throughput vs channels per ship (${maxRows.toLocaleString('en')} rows)`, xLabel: 'channels per ship (log)', yLabel: 'narrow rows/s', series, logX: true });
}

function latencyPlot(scenarios: readonly ScenarioResult[]): string | undefined {
  const live = scenarios.find((s) => s.series?.latencyMs);
  const samples = live?.series?.latencyMs?.map(([, v]) => v) ?? [];
  if (!samples.length) return undefined;
  const bins = histogram(samples, 20);
  return barChartSvg({
    title: 'Live commit-to-visible latency (probe)',
    xLabel: 'ms',
    yLabel: 'probes',
    categories: bins.map((b) => String(Math.round(b.from))),
    groups: [{ name: 'probes', values: bins.map((b) => b.count) }],
  });
}

/** The live scenarios and the largest backfill: a readable handful of lines, not one per run. */
function rssPlot(scenarios: readonly ScenarioResult[]): string | undefined {
  const backfills = scenarios.filter((s) => s.id.startsWith('backfill/') && s.series);
  const biggest = backfills.sort((a, b) => Number(b.params.rows) * Number(b.params.channels) - Number(a.params.rows) * Number(a.params.channels))[0];
  const picked: [string, ScenarioResult | undefined][] = [
    [biggest ? `backfill ${String(biggest.params.channels)}ch` : '', biggest],
    ['live', scenarios.find((s) => s.id === 'live/latency')],
    ['ramp', scenarios.find((s) => s.id === 'live/throughput')],
  ];
  const series: Series[] = [];
  for (const [label, s] of picked) {
    for (const [name, points] of Object.entries(s?.series ?? {})) {
      // A sample of 0 MiB is a process that had already exited.
      if (name.startsWith('rssMiB:')) series.push({ name: `${label} ${name.slice(7)}`, points: points.filter(([, mib]) => mib > 0) });
    }
  }
  if (!series.length) return undefined;
  return lineChartSvg({ title: 'RSS over time per service', xLabel: 'seconds', yLabel: 'MiB', series });
}

export async function writeReport(dir: string, report: RunReport): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\..*/, '');
  const plots: [string, string | undefined][] = [
    ['throughput-vs-channels.svg', throughputPlot(report.scenarios)],
    ['latency-histogram.svg', latencyPlot(report.scenarios)],
    ['rss-over-time.svg', rssPlot(report.scenarios)],
  ];
  report.plots = [];
  for (const [name, svg] of plots) {
    if (!svg) continue;
    await writeFile(join(dir, name), svg);
    report.plots.push(name);
  }
  const json = join(dir, `${stamp}.json`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = join(dir, report.mode === 'full' ? 'latest.md' : 'latest-quick.md');
  await writeFile(markdown, markdownSummary(report));
  return { json, markdown };
}
