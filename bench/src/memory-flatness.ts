// The memory target, "flat memory from 1M to 10M rows", made a number: for each channel count run at
// both sizes, each service's median peak RSS at the larger size over the smaller. Peak RSS (VmHWM) is an
// extreme value — a longer run samples more of the collector's highs — so "flat" allows 10 % for that; more
// than that is memory that grows with the data.
import { medianOf, type ScenarioResult } from './harness.ts';

export const FLAT_MAX_GROWTH = 1.1;

export interface FlatnessRow {
  channels: number;
  service: string;
  smallRows: number;
  largeRows: number;
  smallMiB: number;
  largeMiB: number;
  /** largeMiB / smallMiB. */
  growth: number;
  flat: boolean;
}

export function memoryFlatness(scenarios: readonly ScenarioResult[]): FlatnessRow[] {
  const backfills = scenarios.filter((s) => s.id.startsWith('backfill/'));
  const rows: FlatnessRow[] = [];
  for (const channels of [...new Set(backfills.map((s) => Number(s.params.channels)))].sort((a, b) => a - b)) {
    const sizes = backfills.filter((s) => Number(s.params.channels) === channels).sort((a, b) => Number(a.params.rows) - Number(b.params.rows));
    const small = sizes[0];
    const large = sizes.at(-1);
    if (!small || !large || small === large) continue;
    for (const m of small.measurements.filter((x) => x.metric === 'peak RSS')) {
      const smallMiB = medianOf(m);
      const largeMiB = medianOf(large.measurements.find((x) => x.metric === 'peak RSS' && x.system === m.system));
      if (smallMiB === null || largeMiB === null || smallMiB <= 0) continue;
      const growth = Math.round((largeMiB / smallMiB) * 100) / 100;
      rows.push({ channels, service: m.system, smallRows: Number(small.params.rows), largeRows: Number(large.params.rows), smallMiB, largeMiB, growth, flat: largeMiB / smallMiB <= FLAT_MAX_GROWTH });
    }
  }
  return rows;
}

export function flatnessMarkdown(rows: readonly FlatnessRow[]): string[] {
  if (!rows.length) return [];
  const out = [
    '## Memory from the smaller to the larger backfill',
    '',
    `Median peak RSS per service at both sizes; target "flat": at most ${Math.round((FLAT_MAX_GROWTH - 1) * 100)} % higher on the larger dataset (bench/src/memory-flatness.ts says why).`,
    '',
    '| channels/ship | service | rows | peak RSS | rows | peak RSS | growth | target |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.channels.toLocaleString('en')} | ${r.service} | ${r.smallRows.toLocaleString('en')} | ${Math.round(r.smallMiB)} MiB | ${r.largeRows.toLocaleString('en')} | ${Math.round(r.largeMiB)} MiB | ${r.growth}× | flat: ${r.flat ? 'met' : 'NOT met'} |`,
    );
  }
  out.push('');
  return out;
}
