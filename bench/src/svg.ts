// A tiny SVG chart writer (no dependency): line charts with several series and grouped bar charts.
// Enough for the benchmark's three plots; text is escaped, numbers are rounded to keep files small.

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Log scale on x (e.g. channels per ship 100 → 5,000). */
  logX?: boolean;
}

export interface BarChart {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: readonly string[];
  groups: readonly { name: string; values: readonly (number | null)[] }[];
}

const W = 640;
const H = 360;
const PAD = { left: 70, right: 170, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const r = (n: number): string => String(Math.round(n * 10) / 10);

/** Round-ish tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

function fmt(n: number): string {
  if (Math.abs(n) >= 1e6) return `${r(n / 1e6)}M`;
  if (Math.abs(n) >= 1e3) return `${r(n / 1e3)}k`;
  return r(n);
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<text x="${PAD.left + (W - PAD.left - PAD.right) / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(15 ${PAD.top + (H - PAD.top - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function yAxis(maxY: number, y: (v: number) => number): string[] {
  const out = [`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="black"/>`];
  for (const t of ticks(0, maxY)) {
    out.push(`<line x1="${PAD.left - 4}" y1="${r(y(t))}" x2="${W - PAD.right}" y2="${r(y(t))}" stroke="#ddd"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${r(y(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  return out;
}

function legend(names: readonly string[]): string[] {
  return names.flatMap((name, i) => [
    `<rect x="${W - PAD.right + 10}" y="${PAD.top + i * 18}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
    `<text x="${W - PAD.right + 26}" y="${PAD.top + i * 18 + 10}">${escapeXml(name)}</text>`,
  ]);
}

export function lineChartSvg(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  const tx = (x: number): number => (chart.logX ? Math.log10(Math.max(x, 1e-9)) : x);
  const xs = all.map(([x]) => tx(x));
  const minX = xs.length ? Math.min(...xs) : 0;
  const maxX = xs.length ? Math.max(...xs) : 1;
  const maxY = Math.max(1e-9, ...all.map(([, y]) => y)) * 1.1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (v: number): number => PAD.left + (maxX > minX ? ((tx(v) - minX) / (maxX - minX)) * plotW : plotW / 2);
  const y = (v: number): number => H - PAD.bottom - (v / maxY) * plotH;
  const body = yAxis(maxY, y);
  body.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="black"/>`);
  const xTicks = chart.logX ? [...new Set(all.map(([v]) => v))] : ticks(minX, maxX);
  for (const t of xTicks) body.push(`<text x="${r(x(t))}" y="${H - PAD.bottom + 15}" text-anchor="middle">${fmt(t)}</text>`);
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map(([px, py]) => `${r(x(px))},${r(y(py))}`).join(' ');
    if (s.points.length > 1) body.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    for (const [px, py] of s.points) body.push(`<circle cx="${r(x(px))}" cy="${r(y(py))}" r="3" fill="${color}"/>`);
  });
  body.push(...legend(chart.series.map((s) => s.name)));
  return frame(chart.title, chart.xLabel, chart.yLabel, body);
}

export function barChartSvg(chart: BarChart): string {
  const values = chart.groups.flatMap((g) => g.values.filter((v): v is number => v !== null));
  const maxY = Math.max(1e-9, ...values) * 1.1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number): number => H - PAD.bottom - (v / maxY) * plotH;
  const slot = plotW / Math.max(1, chart.categories.length);
  const barW = (slot * 0.8) / Math.max(1, chart.groups.length);
  const labelEvery = Math.max(1, Math.ceil((chart.categories.length * 36) / plotW));
  const body = yAxis(maxY, y);
  body.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="black"/>`);
  chart.categories.forEach((cat, ci) => {
    const left = PAD.left + ci * slot + slot * 0.1;
    chart.groups.forEach((g, gi) => {
      const v = g.values[ci];
      const bx = left + gi * barW;
      if (v === null || v === undefined) {
        body.push(`<text x="${r(bx + barW / 2)}" y="${H - PAD.bottom - 4}" text-anchor="middle" font-size="9">n/a</text>`);
        return;
      }
      body.push(`<rect x="${r(bx)}" y="${r(y(v))}" width="${r(Math.max(1, barW - 1))}" height="${r(H - PAD.bottom - y(v))}" fill="${COLORS[gi % COLORS.length]}"/>`);
    });
    // Dense categories (histogram bins) get every n-th label so the labels do not overlap.
    if (ci % labelEvery === 0) body.push(`<text x="${r(PAD.left + ci * slot + slot / 2)}" y="${H - PAD.bottom + 15}" text-anchor="middle">${escapeXml(cat)}</text>`);
  });
  if (chart.groups.length > 1) body.push(...legend(chart.groups.map((g) => g.name)));
  return frame(chart.title, chart.xLabel, chart.yLabel, body);
}
