import { describe, it, expect } from 'vitest';
import { renderChartSvg, chartPointCount, tickLabel, type ChartSpec } from '../../src/reporters/html/svg-chart.js';
import { bandOf } from '../../src/reporters/html/report-charts.js';
import type { SignalBaseline } from '../../src/types.js';

const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  id: 't',
  title: 'T',
  x: { label: 'x' },
  y: { label: 'y' },
  series: [{ name: 's', color: '#000', style: 'both', points: [[0, 1], [1, 2], [2, 3]] }],
  ...over,
});
const paths = (svg: string) => [...svg.matchAll(/<path class="series"[^>]*d="([^"]*)"/g)].map((m) => m[1]!);

describe('svg chart', () => {
  it('counts plotted points and draws a marker for each', () => {
    const svg = renderChartSvg(spec());
    expect(svg).toContain('data-points="3"');
    expect(svg.match(/<circle class="dot"/g)).toHaveLength(3);
    expect(paths(svg)[0]!.match(/[ML]/g)).toEqual(['M', 'L', 'L']);
  });

  it('breaks the line at a gap instead of drawing through it', () => {
    const svg = renderChartSvg(spec({ series: [{ name: 's', color: '#000', style: 'line', points: [[0, 1], [1, 2], [2, null], [3, 2], [4, 1]] }] }));
    expect(paths(svg)[0]!.match(/M/g)).toHaveLength(2);
    expect(svg).toContain('data-points="4"');
  });

  it('drops values a log axis cannot show, and never writes NaN', () => {
    const s = spec({ y: { label: 'ms', log: true }, series: [{ name: 's', color: '#000', style: 'both', points: [[0, 0], [1, NaN], [2, 5], [3, 500], [4, -1]] }] });
    expect(chartPointCount(s)).toBe(2);
    const svg = renderChartSvg(s);
    expect(svg).not.toMatch(/NaN|Infinity/);
    // 1-2-5 labels per decade, no exponent notation.
    const labels = [...svg.matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(expect.arrayContaining(['5', '10', '20', '50', '100', '200', '500']));
    expect(labels.join(' ')).not.toMatch(/e[+-]/);
  });

  it('an empty chart says so and counts zero points', () => {
    const svg = renderChartSvg(spec({ series: [{ name: 's', color: '#000', style: 'line', points: [[0, null]] }] }));
    expect(svg).toContain('data-points="0"');
    expect(svg).toContain('>no data<');
  });

  it('widens the axes so thresholds and bands stay visible', () => {
    const svg = renderChartSvg(spec({ hRules: [{ at: 40, label: 'threshold 40', color: 'red' }], hBands: [{ from: 0.5, to: 1.5, label: 'band', color: 'green' }] }));
    const ys = [...svg.matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]*)</g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(Math.max(...ys)).toBeGreaterThanOrEqual(40);
    expect(svg).toContain('class="hband"');
  });

  it('escapes labels', () => {
    const svg = renderChartSvg(spec({ title: '<b>', series: [{ name: 'a"b', color: '#000', style: 'line', points: [[0, 1], [1, 1]] }] }));
    expect(svg).toContain('aria-label="&lt;b&gt;"');
    expect(svg).toContain('data-series="a&quot;b"');
  });

  it('tick labels are plain decimals', () => {
    expect([tickLabel(0.05), tickLabel(2), tickLabel(1100), tickLabel(20000)]).toEqual(['0.05', '2', '1,100', '20,000']);
  });
});

describe('baseline band', () => {
  const sb = (over: Partial<SignalBaseline>): SignalBaseline => ({ signal: 'x', statistic: 'value', direction: 'up', median: 10, sigma: 1, robustThreshold: 13, practicalThreshold: 15, threshold: 15, medianValue: 10, windows: 20, ...over });
  it('is median -/+ k*sigma in natural units', () => {
    expect(bandOf(sb({}))).toEqual([7, 13]);
    const [lo, hi] = bandOf(sb({ signal: 'p99', statistic: 'log-p99', median: Math.log(10), robustThreshold: Math.log(10) + 0.3 }));
    expect(lo).toBeCloseTo(10 * Math.exp(-0.3), 9);
    expect(hi).toBeCloseTo(10 * Math.exp(0.3), 9);
  });
  it('never goes below zero (an error rate of 0 has no negative band)', () => {
    expect(bandOf(sb({ signal: 'errors', statistic: 'rate', median: 0, robustThreshold: 0.003 }))).toEqual([0, 0.003]);
  });
  it('a falling signal keeps its band in order', () => {
    expect(bandOf(sb({ direction: 'down', median: 1, robustThreshold: 0.97 }))).toEqual([0.97, 1.03]);
  });
});
