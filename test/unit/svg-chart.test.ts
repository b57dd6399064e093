import { describe, it, expect } from 'vitest';
import { renderChartSvg, chartPointCount, thinTicks, tickLabel, type ChartSpec } from '../../src/reporters/html/svg-chart.js';
import { overlaps, placeRuleLabel, placeVerticalLabels, textBox, textWidth, type Box } from '../../src/reporters/html/label-layout.js';
import { bandOf } from '../../src/reporters/html/report-charts.js';
import type { SignalBaseline } from '../../src/types.js';

const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  id: 't',
  title: 'T',
  x: { label: 'x' },
  y: { label: 'y' },
  series: [
    {
      name: 's',
      color: '#000',
      style: 'both',
      points: [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    },
  ],
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
    const svg = renderChartSvg(
      spec({
        series: [
          {
            name: 's',
            color: '#000',
            style: 'line',
            points: [
              [0, 1],
              [1, 2],
              [2, null],
              [3, 2],
              [4, 1],
            ],
          },
        ],
      }),
    );
    expect(paths(svg)[0]!.match(/M/g)).toHaveLength(2);
    expect(svg).toContain('data-points="4"');
  });

  it('drops values a log axis cannot show, and never writes NaN', () => {
    const s = spec({
      y: { label: 'ms', log: true },
      series: [
        {
          name: 's',
          color: '#000',
          style: 'both',
          points: [
            [0, 0],
            [1, NaN],
            [2, 5],
            [3, 500],
            [4, -1],
          ],
        },
      ],
    });
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
    const svg = renderChartSvg(
      spec({ hRules: [{ at: 40, label: 'threshold 40', color: 'red' }], hBands: [{ from: 0.5, to: 1.5, label: 'band', color: 'green' }] }),
    );
    const ys = [...svg.matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]*)</g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(Math.max(...ys)).toBeGreaterThanOrEqual(40);
    expect(svg).toContain('class="hband"');
  });

  it('escapes labels', () => {
    const svg = renderChartSvg(
      spec({
        title: '<b>',
        series: [
          {
            name: 'a"b',
            color: '#000',
            style: 'line',
            points: [
              [0, 1],
              [1, 1],
            ],
          },
        ],
      }),
    );
    expect(svg).toContain('aria-label="&lt;b&gt;"');
    expect(svg).toContain('data-series="a&quot;b"');
  });

  it('tick labels are plain decimals', () => {
    expect([tickLabel(0.05), tickLabel(2), tickLabel(1100), tickLabel(20000)]).toEqual(['0.05', '2', '1,100', '20,000']);
  });
});

describe('baseline band', () => {
  const sb = (over: Partial<SignalBaseline>): SignalBaseline => ({
    signal: 'x',
    statistic: 'value',
    direction: 'up',
    median: 10,
    sigma: 1,
    robustThreshold: 13,
    practicalThreshold: 15,
    threshold: 15,
    medianValue: 10,
    windows: 20,
    ...over,
  });
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

/** Boxes of every text of the markup, from its position, anchor and font size (the rotated axis title excluded). */
function textBoxes(svg: string): { text: string; box: Box }[] {
  return [...svg.matchAll(/<text class="([^"]+)" x="([^"]+)" y="([^"]+)" text-anchor="([^"]+)"[^>]*>([^<]*)</g)].map((m) => ({
    text: m[5]!,
    box: textBox(m[5]!, Number(m[2]), Number(m[3]), m[4] as 'start' | 'middle' | 'end', m[1] === 'axis-label' ? 12 : 11),
  }));
}
const collisions = (items: { text: string; box: Box }[]) =>
  items.flatMap((a, i) =>
    items
      .slice(i + 1)
      .filter((b) => overlaps(a.box, b.box))
      .map((b) => `${a.text} / ${b.text}`),
  );

describe('label layout', () => {
  const area = { rows: [30, 15], minX: 0, maxX: 880, fontPx: 11, offset: 3, gap: 2 };

  it('never overlaps labels, at any count and spacing, and keeps them inside the chart', () => {
    for (const count of [2, 6, 15, 40]) {
      for (const spacing of [3, 12, 40]) {
        const labels = Array.from({ length: count }, (_, i) => ({
          x: 70 + i * spacing,
          text: `#${i} ${1000 + i * 37}`,
          anchor: 'start' as const,
          priority: 0,
        }));
        const placed = placeVerticalLabels(labels, area).filter((p) => p !== null);
        expect(placed.length, `${count} labels ${spacing} px apart`).toBeGreaterThan(0);
        const boxes = placed.map((p) => p.box);
        boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => expect(overlaps(a, b, 2), `${count} x ${spacing}`).toBe(false)));
        for (const b of boxes) expect(b.x >= 0 && b.x + b.w <= 880).toBe(true);
      }
    }
  });

  it('uses the second row and the other side of the line before it drops a label', () => {
    const labels = [70, 90, 140].map((x, i) => ({ x, text: `#${i} 500`, anchor: 'start' as const, priority: 0 }));
    const placed = placeVerticalLabels(labels, area);
    expect(placed.every((p) => p !== null)).toBe(true);
    expect(new Set(placed.map((p) => p!.y))).toEqual(new Set([30, 15]));
    // A label at the right edge goes left of its line.
    const [edge] = placeVerticalLabels([{ x: 870, text: 'first breach 1010', anchor: 'start', priority: 0 }], area);
    expect(edge!.anchor).toBe('end');
  });

  it('keeps the important labels when it must drop some', () => {
    const labels = Array.from({ length: 30 }, (_, i) => ({ x: 100 + i * 4, text: `#${i} 800`, anchor: 'start' as const, priority: i === 17 ? 3 : 0 }));
    const placed = placeVerticalLabels(labels, area);
    expect(placed[17]).not.toBeNull();
    expect(placed.filter((p) => p === null).length).toBeGreaterThan(0);
  });

  it('moves a rule label off a marker, and never onto other text', () => {
    const plot = { left: 66, right: 862, top: 37, bottom: 258, fontPx: 11, gap: 2 };
    const y = 150;
    const free = placeRuleLabel('threshold 24.3 ms', y, plot, [], []);
    expect(free!.anchor).toBe('end');
    const marker: Box = { x: free!.box.x + 10, y: y - 10, w: 10, h: 10 };
    const moved = placeRuleLabel('threshold 24.3 ms', y, plot, [], [marker]);
    expect(overlaps(moved!.box, marker)).toBe(false);
    const other = placeRuleLabel('baseline median 12.2 ms', y, plot, [moved!.box], []);
    expect(overlaps(other!.box, moved!.box, 2)).toBe(false);
  });

  it('estimates text no narrower than DejaVu Sans, the wide fallback font', () => {
    // DejaVu Sans advance widths: digits 0.636 em, '#' 0.838 em, space 0.318 em.
    expect(textWidth('#12 1010', 100)).toBeGreaterThanOrEqual(83.8 + 6 * 63.6 + 31.8);
    expect(textWidth('threshold', 10)).toBeGreaterThan(textWidth('1111', 10));
  });

  it('drops tick labels that would touch, keeping the first', () => {
    const box = (y: number): Box => ({ x: 0, y, w: 20, h: 13 });
    expect(thinTicks([0, 10, 20, 30, 40], box)).toEqual([0, 20, 40]);
    expect(thinTicks([0, 20, 40], box, [box(18)])).toEqual([0, 40]);
  });
});

describe('chart text never collides', () => {
  it('20 step boundaries a few px apart, a threshold and a breach marker at its label spot', () => {
    const vRules = Array.from({ length: 20 }, (_, i) => ({
      at: 30 + i * (i < 10 ? 0.4 : 1.5),
      label: `#${i + 1} ${500 + i * 40}`,
      color: '#999',
      dashed: true,
      priority: i === 12 ? 3 : 0,
    }));
    const s = spec({
      x: { label: 'time since start (s)' },
      series: [
        { name: 'p99', color: '#000', style: 'both', points: Array.from({ length: 60 }, (_, i): [number, number] => [i, 10 + (i % 7)]) },
        {
          name: 'p99 breach (confirming windows)',
          color: 'red',
          style: 'dots',
          radius: 5,
          points: [
            [59, 24.3],
            [58, 24.6],
          ],
        },
      ],
      hRules: [
        { at: 12, label: 'baseline median 12.2 ms', color: 'green', dashed: true },
        { at: 24.3, label: 'threshold 24.3 ms', color: 'red' },
      ],
      vRules,
    });
    const svg = renderChartSvg(s);
    expect(collisions(textBoxes(svg))).toEqual([]);
    const labels = [...svg.matchAll(/class="vrule-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(5);
    expect(labels).toContain('#13 980');
    // Every line keeps its full label as a tooltip, shown or not.
    expect(svg.match(/<line class="rule"[^>]*><title>#\d+ \d+<\/title>/g)).toHaveLength(20);
    const threshold = textBoxes(svg).find((t) => t.text.startsWith('threshold'))!.box;
    const markers = [...svg.matchAll(/data-series="p99 breach[^"]*" cx="([^"]+)" cy="([^"]+)" r="5"/g)].map((m) => ({
      x: Number(m[1]) - 5,
      y: Number(m[2]) - 5,
      w: 10,
      h: 10,
    }));
    expect(markers).toHaveLength(2);
    for (const m of markers) expect(overlaps(m, threshold)).toBe(false);
  });

  it('a one-window step still shows its line series as a short dash', () => {
    const svg = renderChartSvg(
      spec({
        series: [
          {
            name: 's',
            color: '#000',
            style: 'line',
            points: [
              [0, 1],
              [1, null],
              [2, 2],
              [3, null],
              [4, 3],
              [5, 3],
            ],
          },
        ],
      }),
    );
    expect(paths(svg)[0]).toMatch(/^M[\d.]+,[\d.]+h3M[\d.]+,[\d.]+h3M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
  });

  it('room for long y tick labels beside the axis title', () => {
    const svg = renderChartSvg(
      spec({
        series: [
          {
            name: 's',
            color: '#000',
            style: 'line',
            points: [
              [0, 0],
              [1, 250_000],
            ],
          },
        ],
      }),
    );
    expect(collisions(textBoxes(svg))).toEqual([]);
    const widest = Math.max(
      ...textBoxes(svg)
        .filter((t) => /^[\d,]+$/.test(t.text) && t.box.x < 100)
        .map((t) => t.box.w),
    );
    const left = Math.min(
      ...textBoxes(svg)
        .filter((t) => /^[\d,]+$/.test(t.text) && t.box.x < 100)
        .map((t) => t.box.x),
    );
    expect(widest).toBeGreaterThan(40);
    expect(left).toBeGreaterThan(17); // the rotated title's glyphs reach x = 17
  });
});
