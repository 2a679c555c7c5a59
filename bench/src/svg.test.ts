import { describe, expect, it } from 'vitest';
import { barChartSvg, escapeXml, lineChartSvg, ticks } from './svg.ts';

describe('svg charts', () => {
  it('draws one polyline per series and escapes text', () => {
    const svg = lineChartSvg({
      title: 'rows/s <vs> channels & more',
      xLabel: 'channels',
      yLabel: 'rows/s',
      logX: true,
      series: [
        { name: 'fleetpivot', points: [[100, 50_000], [1000, 48_000], [5000, 45_000]] },
        { name: 'sql pivot', points: [[100, 20_000], [1000, 3_000]] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(5);
    expect(svg).toContain('rows/s &lt;vs&gt; channels &amp; more');
    expect(svg).not.toContain('NaN');
  });

  it('draws bars and marks missing values n/a', () => {
    const svg = barChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      categories: ['100', '5000'],
      groups: [{ name: 'sql', values: [10, null] }, { name: 'fp', values: [20, 30] }],
    });
    expect(svg.match(/<rect [^>]*fill="#/g)?.length).toBe(3 + 2); // 3 bars + 2 legend swatches
    expect(svg).toContain('n/a');
    expect(svg).not.toContain('NaN');
  });

  it('picks round ticks and escapes quotes', () => {
    expect(ticks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticks(5, 5)).toEqual([5]);
    expect(escapeXml('"a"')).toBe('&quot;a&quot;');
  });
});
