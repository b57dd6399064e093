// A small static SVG line chart, drawn at render time: no script, no network,
// so the report opens anywhere (file://, CI artifact viewers that block
// scripts). Scales and ticks come from d3-scale. Pure: a ChartSpec in, markup out.
import { escapeHtml } from './escape-html.js';
import { makeScale } from './chart-scale.js';

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

const usable = (v: number | null, log: boolean): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);

/** Finite points of a series on the given axes. */
export function plottedPoints(s: Series, xLog = false, yLog = false): [number, number][] {
  return s.points.filter((p): p is [number, number] => usable(p[0], xLog) && usable(p[1], yLog));
}

const n = (v: number) => (Math.round(v * 10) / 10).toString();

function pathOf(points: Point[], sx: (v: number) => number, sy: (v: number) => number, xLog: boolean, yLog: boolean): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!usable(x, xLog) || !usable(y, yLog)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${n(sx(x))},${n(sy(y))}`;
    pen = true;
  }
  return d;
}

/** Number of plotted data points of a chart (the report and its tests call an empty chart a failure). */
export function chartPointCount(spec: ChartSpec): number {
  return spec.series.reduce((a, s) => a + plottedPoints(s, spec.x.log, spec.y.log).length, 0);
}

export function renderChartSvg(spec: ChartSpec): string {
  const xLog = Boolean(spec.x.log);
  const yLog = Boolean(spec.y.log);
  const data = spec.series.flatMap((s) => plottedPoints(s, xLog, yLog));
  const xs = [...data.map((p) => p[0]), ...(spec.vRules ?? []).map((r) => r.at), ...(spec.vBands ?? []).flatMap((b) => [b.from, b.to])].filter((v) => usable(v, xLog));
  const ys = [...data.map((p) => p[1]), ...(spec.hRules ?? []).map((r) => r.at), ...(spec.hBands ?? []).flatMap((b) => [b.from, b.to])].filter((v) => usable(v, yLog));
  const x = makeScale(spec.x, xs, [M.left, W - M.right], false);
  const y = makeScale(spec.y, ys, [H - M.bottom, M.top], true);
  const sx = (v: number) => x.s(v);
  const sy = (v: number) => y.s(v);
  const [top, bottom, left, right] = [M.top, H - M.bottom, M.left, W - M.right];
  const clip = `clip-${spec.id}`;
  const out: string[] = [];
  out.push(`<svg class="chart" id="chart-${escapeHtml(spec.id)}" data-chart="${escapeHtml(spec.id)}" data-points="${data.length}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}">`);
  out.push(`<defs><clipPath id="${clip}"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath></defs>`);
  // Grid and axes.
  for (const t of y.ticks) out.push(`<line class="grid" x1="${left}" x2="${right}" y1="${n(sy(t))}" y2="${n(sy(t))}"/><text class="tick" x="${left - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${escapeHtml(y.format(t))}</text>`);
  for (const t of x.ticks) out.push(`<line class="grid" y1="${top}" y2="${bottom}" x1="${n(sx(t))}" x2="${n(sx(t))}"/><text class="tick" x="${n(sx(t))}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(x.format(t))}</text>`);
  out.push(`<rect class="frame" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`);
  out.push(`<text class="axis-label" x="${(left + right) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(spec.x.label)}</text>`);
  out.push(`<text class="axis-label" transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.y.label)}</text>`);
  out.push(`<g clip-path="url(#${clip})">`);
  for (const b of spec.vBands ?? []) {
    if (!usable(b.from, xLog) || !usable(b.to, xLog)) continue;
    out.push(`<rect class="vband" x="${n(sx(b.from))}" y="${top}" width="${n(Math.max(0, sx(b.to) - sx(b.from)))}" height="${bottom - top}" fill="${b.color}"><title>${escapeHtml(b.label)}</title></rect>`);
  }
  for (const b of spec.hBands ?? []) {
    if (!usable(b.from, yLog) || !usable(b.to, yLog)) continue;
    const [y0, y1] = [sy(b.to), sy(b.from)];
    out.push(`<rect class="hband" x="${left}" y="${n(y0)}" width="${right - left}" height="${n(Math.max(0.5, y1 - y0))}" fill="${b.color}"><title>${escapeHtml(b.label)}</title></rect>`);
  }
  for (const s of spec.series) {
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    if (s.style !== 'dots') {
      const d = pathOf(s.points, sx, sy, xLog, yLog);
      if (d) out.push(`<path class="series" data-series="${escapeHtml(s.name)}" d="${d}" stroke="${s.color}"${dash}/>`);
    }
    if (s.style !== 'line') {
      const r = s.radius ?? 3;
      s.points.forEach(([px, py], i) => {
        if (!usable(px, xLog) || !usable(py, yLog)) return;
        const tip = s.tips?.[i];
        out.push(`<circle class="dot" data-series="${escapeHtml(s.name)}" cx="${n(sx(px))}" cy="${n(sy(py))}" r="${r}" fill="${s.color}">${tip ? `<title>${escapeHtml(tip)}</title>` : ''}</circle>`);
      });
    }
  }
  out.push('</g>');
  for (const r of spec.hRules ?? []) {
    if (!usable(r.at, yLog)) continue;
    const yy = n(sy(r.at));
    out.push(`<line class="rule" x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="${r.color}"${r.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeHtml(r.label)}</title></line>`);
    // Below the line when the line is at the top edge, so it never meets the vertical rules' labels.
    const ly = sy(r.at) - top < 14 ? sy(r.at) + 13 : sy(r.at) - 4;
    out.push(`<text class="rule-label" x="${right - 4}" y="${n(ly)}" text-anchor="end" fill="${r.color}">${escapeHtml(r.label)}</text>`);
  }
  for (const r of spec.vRules ?? []) {
    if (!usable(r.at, xLog)) continue;
    const xx = n(sx(r.at));
    const end = r.anchor === 'end';
    out.push(`<line class="rule" y1="${top}" y2="${bottom}" x1="${xx}" x2="${xx}" stroke="${r.color}"${r.dashed ? ' stroke-dasharray="4 4"' : ''}><title>${escapeHtml(r.label)}</title></line>`);
    if (r.label) out.push(`<text class="vrule-label" x="${n(sx(r.at) + (end ? -3 : 3))}" y="${top - 6}" text-anchor="${end ? 'end' : 'start'}" fill="${r.color}">${escapeHtml(r.label)}</text>`);
  }
  if (data.length === 0) out.push(`<text class="empty" x="${(left + right) / 2}" y="${(top + bottom) / 2}" text-anchor="middle">no data</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The legend as HTML (wraps with the page instead of overflowing the SVG). */
export function renderLegend(spec: ChartSpec): string {
  const items = [
    ...spec.series.filter((s) => !s.noLegend).map((s) => `<span class="key"><i ${s.dashed ? `class="dashed" style="border-top-color:${s.color}"` : `style="background:${s.color}"`}></i>${escapeHtml(s.name)}</span>`),
    ...(spec.hBands ?? []).map((b) => `<span class="key"><i class="band" style="background:${b.color}"></i>${escapeHtml(b.label)}</span>`),
    ...(spec.vBands ?? []).map((b) => `<span class="key"><i class="band" style="background:${b.color}"></i>${escapeHtml(b.label)}</span>`),
  ];
  return `<div class="legend">${items.join(' ')}</div>`;
}
