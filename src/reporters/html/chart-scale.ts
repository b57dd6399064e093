// Axis scales and ticks for the SVG charts (d3-scale): linear axes start at
// zero when asked, log axes label 1-2-5 per decade, and labels are plain
// decimals without exponents.
import { scaleLinear, scaleLog } from 'd3-scale';
import type { Axis } from './svg-chart.js';

/** Tick labels: plain decimals, no exponent (0.05, 2, 500, 10,000). */
export function tickLabel(v: number): string {
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(6)).toString();
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

export function makeScale(axis: Axis, values: number[], range: [number, number], padZero: boolean) {
  let [lo, hi] = extent(values);
  if (!Number.isFinite(lo)) [lo, hi] = axis.log ? [1, 10] : [0, 1];
  if (!axis.log && padZero && lo > 0) lo = 0;
  if (lo === hi && lo === 0 && !axis.log) hi = 1;
  else if (lo === hi) [lo, hi] = axis.log ? [lo / 2, hi * 2] : [lo - Math.abs(lo || 1) * 0.5, hi + Math.abs(hi || 1) * 0.5];
  if (axis.log) {
    const s = scaleLog().domain([lo, hi]).range(range).nice();
    const all = s.ticks();
    // Label 1-2-5 per decade; every tick only when that leaves too few.
    const few = all.filter((t) => [1, 2, 5].includes(Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9))));
    return { s, ticks: few.length >= 3 ? few : all, format: axis.format ?? tickLabel };
  }
  const s = scaleLinear().domain([lo, hi]).range(range).nice(6);
  return { s, ticks: s.ticks(6), format: axis.format ?? s.tickFormat(6) };
}
