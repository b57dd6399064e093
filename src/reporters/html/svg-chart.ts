// A small static SVG line chart, drawn at render time: no script, no network,
// so the report opens anywhere (file://, CI artifact viewers that block
// scripts). Scales and ticks come from d3-scale. Pure: a ChartSpec in, markup out.
import { escapeHtml } from './escape-html.js';
import { makeScale } from './chart-scale.js';
import { overlaps, placeRuleLabel, placeVerticalLabels, textBox, textWidth, type Box } from './label-layout.js';

export { tickLabel } from './chart-scale.js';

export type Point = [x: number, y: number | null];

export interface Series {
  name: string;
  color: string;
  points: Point[];
  /** line: joined points (null breaks the line); dots: markers only; both: line and markers. */
  style: 'line' | 'dots' | 'both';
  dashed?: boolean;
  /** Tooltip text per point (same length as points). */
  tips?: string[];
  /** Marker radius. Default 3. */
  radius?: number;
  /** Hidden from the legend (e.g. breach markers that a rule already names). */
  noLegend?: boolean;
}

export interface Rule {
  at: number;
  label: string;
  color: string;
  dashed?: boolean;
  /** Vertical rules: label right of the line (start, default) or left of it (end). */
  anchor?: 'start' | 'end';
  /** Vertical rules: labels with a higher priority get room first when they crowd (default 0). */
  priority?: number;
}

export interface Band {
  from: number;
  to: number;
  label: string;
  color: string;
}

export interface Axis {
  label: string;
  log?: boolean;
  /** Tick label formatter. */
  format?: (v: number) => string;
}

export interface ChartSpec {
  id: string;
  title: string;
  caption?: string;
  /** A sentence that explains what the chart shows about the decision (printed once, under the chart). */
  note?: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Horizontal lines (thresholds, medians). */
  hRules?: Rule[];
  /** Vertical lines (critical point, step boundaries). */
  vRules?: Rule[];
  /** Horizontal bands (baseline range), in y units. */
  hBands?: Band[];
  /** Vertical bands (warm-up), in x units. */
  vBands?: Band[];
}

const W = 880;
const H = 300;
const M = { top: 22, right: 18, bottom: 42, left: 66 };
/** Font sizes of the chart's text (report-css.ts), px in the SVG's own units. */
const FONT = { tick: 11, label: 11, axis: 12 };
/** Rows of vertical-rule labels above the plot, 15 px apart (a box is ~13 px high). */
const V_LABEL_ROWS = 2;
const V_ROW = 15;
/** Smallest gap between two labels, px. */
const GAP = 2;

/**
 * Ticks whose labels fit: a tick is kept only when its label box clears the
 * previous kept one (log axes over many decades crowd their 1-2-5 labels)
 * and every obstacle (the other axis's labels at the corner).
 */
export function thinTicks<T>(ticks: T[], boxOf: (t: T) => Box, obstacles: Box[] = []): T[] {
  const kept: T[] = [];
  let last: Box | null = null;
  for (const t of ticks) {
    const b = boxOf(t);
    if ((last && overlaps(last, b, GAP)) || obstacles.some((o) => overlaps(o, b))) continue;
    kept.push(t);
    last = b;
  }
  return kept;
}

const usable = (v: number | null, log: boolean): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);

/** Finite points of a series on the given axes. */
export function plottedPoints(s: Series, xLog = false, yLog = false): [number, number][] {
  return s.points.filter((p): p is [number, number] => usable(p[0], xLog) && usable(p[1], yLog));
}

const n = (v: number) => (Math.round(v * 10) / 10).toString();

/**
 * A line through the points, broken at gaps; a point alone between gaps (a
 * one-window step) is a 3 px dash, so a series of short steps still shows.
 */
function pathOf(points: Point[], sx: (v: number) => number, sy: (v: number) => number, xLog: boolean, yLog: boolean): string {
  const runs: [number, number][][] = [[]];
  for (const [x, y] of points) {
    if (usable(x, xLog) && usable(y, yLog)) runs[runs.length - 1]!.push([sx(x), sy(y)]);
    else if (runs[runs.length - 1]!.length > 0) runs.push([]);
  }
  return runs
    .filter((r) => r.length > 0)
    .map((r) => (r.length === 1 ? `M${n(r[0]![0] - 1.5)},${n(r[0]![1])}h3` : r.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)},${n(y)}`).join('')))
    .join('');
}

/** Number of plotted data points of a chart (the report and its tests call an empty chart a failure). */
export function chartPointCount(spec: ChartSpec): number {
  return spec.series.reduce((a, s) => a + plottedPoints(s, spec.x.log, spec.y.log).length, 0);
}

export function renderChartSvg(spec: ChartSpec): string {
  const xLog = Boolean(spec.x.log);
  const yLog = Boolean(spec.y.log);
  const data = spec.series.flatMap((s) => plottedPoints(s, xLog, yLog));
  const xs = [...data.map((p) => p[0]), ...(spec.vRules ?? []).map((r) => r.at), ...(spec.vBands ?? []).flatMap((b) => [b.from, b.to])].filter((v) =>
    usable(v, xLog),
  );
  const ys = [...data.map((p) => p[1]), ...(spec.hRules ?? []).map((r) => r.at), ...(spec.hBands ?? []).flatMap((b) => [b.from, b.to])].filter((v) =>
    usable(v, yLog),
  );
  const vLabelled = (spec.vRules ?? []).some((r) => r.label && usable(r.at, xLog));
  const top = vLabelled ? M.top + (V_LABEL_ROWS - 1) * V_ROW : M.top;
  const bottom = H - M.bottom;
  const y = makeScale(spec.y, ys, [bottom, top], true);
  // Room on the left for the widest y tick label and the rotated axis title (ascent ~11 px left of x=14).
  const widestY = Math.max(0, ...y.ticks.map((t) => textWidth(y.format(t), FONT.tick)));
  const left = Math.max(M.left, Math.ceil(widestY + 6 + 17 + 2 * GAP));
  const right = W - M.right;
  const x = makeScale(spec.x, xs, [left, right], false);
  const sx = (v: number) => x.s(v);
  const sy = (v: number) => y.s(v);
  const clip = `clip-${spec.id}`;
  const texts: Box[] = [];
  const out: string[] = [];
  out.push(
    `<svg class="chart" id="chart-${escapeHtml(spec.id)}" data-chart="${escapeHtml(spec.id)}" data-points="${data.length}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  out.push(`<defs><clipPath id="${clip}"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath></defs>`);
  // Grid and axes; grid lines for every tick, labels for those that fit.
  const yBox = (t: number) => textBox(y.format(t), left - 6, sy(t) + 4, 'end', FONT.tick);
  const yLabels = new Set(
    thinTicks(
      [...y.ticks].sort((a, b) => sy(b) - sy(a)),
      yBox,
    ),
  );
  const xLabels = new Set(
    thinTicks(
      [...x.ticks].sort((a, b) => sx(a) - sx(b)),
      (t) => textBox(x.format(t), sx(t), bottom + 18, 'middle', FONT.tick),
      [...yLabels].map(yBox),
    ),
  );
  for (const t of y.ticks) {
    out.push(`<line class="grid" x1="${left}" x2="${right}" y1="${n(sy(t))}" y2="${n(sy(t))}"/>`);
    if (!yLabels.has(t)) continue;
    out.push(`<text class="tick" x="${left - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${escapeHtml(y.format(t))}</text>`);
    texts.push(yBox(t));
  }
  for (const t of x.ticks) {
    out.push(`<line class="grid" y1="${top}" y2="${bottom}" x1="${n(sx(t))}" x2="${n(sx(t))}"/>`);
    if (!xLabels.has(t)) continue;
    out.push(`<text class="tick" x="${n(sx(t))}" y="${bottom + 18}" text-anchor="middle">${escapeHtml(x.format(t))}</text>`);
    texts.push(textBox(x.format(t), sx(t), bottom + 18, 'middle', FONT.tick));
  }
  out.push(`<rect class="frame" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`);
  out.push(`<text class="axis-label" x="${(left + right) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(spec.x.label)}</text>`);
  out.push(`<text class="axis-label" transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.y.label)}</text>`);
  out.push(`<g clip-path="url(#${clip})">`);
  for (const b of spec.vBands ?? []) {
    if (!usable(b.from, xLog) || !usable(b.to, xLog)) continue;
    out.push(
      `<rect class="vband" x="${n(sx(b.from))}" y="${top}" width="${n(Math.max(0, sx(b.to) - sx(b.from)))}" height="${bottom - top}" fill="${b.color}"><title>${escapeHtml(b.label)}</title></rect>`,
    );
  }
  for (const b of spec.hBands ?? []) {
    if (!usable(b.from, yLog) || !usable(b.to, yLog)) continue;
    const [y0, y1] = [sy(b.to), sy(b.from)];
    out.push(
      `<rect class="hband" x="${left}" y="${n(y0)}" width="${right - left}" height="${n(Math.max(0.5, y1 - y0))}" fill="${b.color}"><title>${escapeHtml(b.label)}</title></rect>`,
    );
  }
  const markers: Box[] = [];
  for (const s of spec.series) {
    const dash = s.dashed ? ' stroke-dasharray="3 6"' : ''; // 5 on, 4 off with the round caps
    if (s.style !== 'dots') {
      const d = pathOf(s.points, sx, sy, xLog, yLog);
      if (d) out.push(`<path class="series" data-series="${escapeHtml(s.name)}" d="${d}" stroke="${s.color}"${dash}/>`);
    }
    if (s.style !== 'line') {
      const r = s.radius ?? 3;
      s.points.forEach(([px, py], i) => {
        if (!usable(px, xLog) || !usable(py, yLog)) return;
        const tip = s.tips?.[i];
        markers.push({ x: sx(px) - r, y: sy(py) - r, w: 2 * r, h: 2 * r });
        out.push(
          `<circle class="dot" data-series="${escapeHtml(s.name)}" cx="${n(sx(px))}" cy="${n(sy(py))}" r="${r}" fill="${s.color}">${tip ? `<title>${escapeHtml(tip)}</title>` : ''}</circle>`,
        );
      });
    }
  }
  out.push('</g>');
  // Rule labels last: they go where no other text and (if possible) no marker is.
  const hArea = { left, right, top, bottom, fontPx: FONT.label, gap: GAP };
  for (const r of spec.hRules ?? []) {
    if (!usable(r.at, yLog)) continue;
    const yy = n(sy(r.at));
    out.push(
      `<line class="rule" x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="${r.color}"${r.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeHtml(r.label)}</title></line>`,
    );
    const at = placeRuleLabel(r.label, sy(r.at), hArea, texts, markers);
    if (!at) continue;
    texts.push(at.box);
    out.push(`<text class="rule-label" x="${n(at.x)}" y="${n(at.y)}" text-anchor="${at.anchor}" fill="${r.color}">${escapeHtml(r.label)}</text>`);
  }
  const vRules = (spec.vRules ?? []).filter((r) => usable(r.at, xLog));
  const rows = Array.from({ length: V_LABEL_ROWS }, (_, i) => top - 6 - i * V_ROW);
  const vLabels = placeVerticalLabels(
    vRules.map((r) => ({ x: sx(r.at), text: r.label, anchor: r.anchor ?? 'start', priority: r.priority ?? 0 })),
    { rows, minX: 0, maxX: W, fontPx: FONT.label, offset: 3, gap: GAP },
    texts,
  );
  vRules.forEach((r, i) => {
    const xx = n(sx(r.at));
    out.push(
      `<line class="rule" y1="${top}" y2="${bottom}" x1="${xx}" x2="${xx}" stroke="${r.color}"${r.dashed ? ' stroke-dasharray="4 4"' : ''}><title>${escapeHtml(r.label)}</title></line>`,
    );
    const at = vLabels[i];
    if (r.label && at)
      out.push(`<text class="vrule-label" x="${n(at.x)}" y="${n(at.y)}" text-anchor="${at.anchor}" fill="${r.color}">${escapeHtml(r.label)}</text>`);
  });
  if (data.length === 0) out.push(`<text class="empty" x="${(left + right) / 2}" y="${(top + bottom) / 2}" text-anchor="middle">no data</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The legend as HTML (wraps with the page instead of overflowing the SVG). */
export function renderLegend(spec: ChartSpec): string {
  const items = [
    ...spec.series
      .filter((s) => !s.noLegend)
      .map(
        (s) =>
          `<span class="key"><i ${s.dashed ? `class="dashed" style="border-top-color:${s.color}"` : `style="background:${s.color}"`}></i>${escapeHtml(s.name)}</span>`,
      ),
    ...(spec.hBands ?? []).map((b) => `<span class="key"><i class="band" style="background:${b.color}"></i>${escapeHtml(b.label)}</span>`),
    ...(spec.vBands ?? []).map((b) => `<span class="key"><i class="band" style="background:${b.color}"></i>${escapeHtml(b.label)}</span>`),
  ];
  return `<div class="legend">${items.join(' ')}</div>`;
}
