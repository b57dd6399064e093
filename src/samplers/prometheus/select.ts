// Picks one value out of a parsed /metrics page: series of `metric` whose
// labels include every matcher exactly (a series may carry more labels), summed
// when several match. Whether the value is a gauge (reported as is) or a
// counter (reported as a per-second rate) follows the family's # TYPE. Pure.
import type { PromExposition, PromType } from './parse.js';

export type SeriesKind = 'gauge' | 'counter';

export interface SelectedValue {
  /** Sum over the matching series. */
  value: number;
  kind: SeriesKind;
  /** How many series matched. */
  series: number;
}

/** `name{a="x",b="y"}`, as in error messages. */
export function formatSelector(metric: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length === 0 ? metric : `${metric}{${pairs.join(',')}}`;
}

/**
 * How a sample name is read, from its family's declared type:
 * - counter: `foo_total` (or `foo` typed counter) -> counter; `foo_created` -> gauge;
 * - histogram / summary: `foo_sum`, `foo_count`, `foo_bucket` -> counter (cumulative);
 *   the summary's own quantile series `foo{quantile="0.99"}` -> gauge;
 * - gauge, gaugehistogram, info, stateset, unknown, untyped, or no # TYPE -> gauge.
 */
export function seriesKind(name: string, types: ReadonlyMap<string, PromType>): SeriesKind {
  const own = types.get(name);
  if (own !== undefined) return own === 'counter' ? 'counter' : 'gauge';
  const suffix = /_(total|created|sum|count|bucket)$/.exec(name);
  if (!suffix) return 'gauge';
  const family = types.get(name.slice(0, -suffix[0].length));
  const part = suffix[1];
  if (family === 'counter') return part === 'total' ? 'counter' : 'gauge';
  if (family === 'histogram' || family === 'summary') return part === 'sum' || part === 'count' || part === 'bucket' ? 'counter' : 'gauge';
  return 'gauge';
}

/** Sums the series of `metric` that match `labels`; throws "no series metric{...}" when none does. */
export function selectSeries(expo: PromExposition, metric: string, labels: Record<string, string>): SelectedValue {
  const matchers = Object.entries(labels);
  let value = 0;
  let series = 0;
  let sameName = 0;
  for (const s of expo.samples) {
    if (s.name !== metric) continue;
    sameName++;
    if (!matchers.every(([k, v]) => s.labels[k] === v)) continue;
    value += s.value;
    series++;
  }
  if (series === 0) {
    const hint = sameName > 0 ? ` (${sameName} series of ${metric} have other labels)` : '';
    throw new Error(`no series ${formatSelector(metric, labels)}${hint}`);
  }
  if (!Number.isFinite(value)) throw new Error(`${formatSelector(metric, labels)} is ${value}: not a number`);
  return { value, kind: seriesKind(metric, expo.types), series };
}
