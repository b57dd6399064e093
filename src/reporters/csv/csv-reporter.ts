import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { FirstMessageLatency, Reporter, RequestBreakdown, RequestStats, RunResult, StepResult, WindowStats } from '../../types.js';
import { writeAtomic } from '../atomic-write.js';

const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : '');

type Cell = string | number | boolean;

/**
 * One CSV column: its header, its cell in a total row (a window's or a step's) and in a per-request
 * row (empty where the figure is not measured per request). Header and rows come from one list, so
 * they cannot drift apart.
 */
interface Column<T> {
  name: string;
  total(t: T): Cell;
  perRequest?(q: RequestStats, t: T, name: string): Cell;
}

const col = <T>(name: string, total: (t: T) => Cell, perRequest?: Column<T>['perRequest']): Column<T> => ({ name, total, perRequest });
/** The same cell in the total row and in its per-request rows (what names the window or step). */
const both = <T>(name: string, cell: (t: T) => Cell): Column<T> => col(name, cell, (_q, t) => cell(t));

/** The figures a total and a request share (StepAggregates, WindowStats and RequestStats alike). */
type Figures = Pick<RequestStats, 'sent' | 'completed' | 'achievedRate' | 'errorTotal' | 'errors' | 'p50' | 'p90' | 'p99' | 'max' | 'mean'>;
const figure = <T>(name: string, of: (t: T) => Figures, cell: (f: Figures) => Cell): Column<T> =>
  col(
    name,
    (t) => cell(of(t)),
    (q) => cell(q),
  );

/** errors, then one count per error kind. */
const errorColumns = <T>(kinds: string[], of: (t: T) => Figures): Column<T>[] => [
  figure('errors', of, (f) => f.errorTotal),
  ...kinds.map((k) => figure(`errors_${k}`, of, (f) => f.errors[k] ?? 0)),
];

/** Latency percentiles, max and mean. */
const latencyColumns = <T>(of: (t: T) => Figures): Column<T>[] =>
  (['p50', 'p90', 'p99', 'max', 'mean'] as const).map((k) => figure(`${k}_ms`, of, (f) => round(f[k])));

/** Server-streaming gRPC calls: time to the first message (p50_ms/p99_ms are to the end of the stream); not per request. */
const firstMessageColumns = <T>(of: (t: T) => FirstMessageLatency | undefined): Column<T>[] => [
  col('first_message_p50_ms', (t) => (of(t) ? round(of(t)!.p50) : '')),
  col('first_message_p99_ms', (t) => (of(t) ? round(of(t)!.p99) : '')),
];

/** Error kinds of the rows and of their per-request figures. */
function errorKinds(rows: { errors: Record<string, number>; byRequest?: RequestBreakdown }[]): string[] {
  return [...new Set(rows.flatMap((r) => [...Object.keys(r.errors), ...Object.values(r.byRequest ?? {}).flatMap((q) => Object.keys(q.errors))]))].sort();
}

/**
 * The rows of `items`. A run with several requests gets a `request` column (second): each window
 * (step) is its total row, request empty, followed by one row per request name with the figures
 * measured per request (the others left empty). One row per request per window is the long shape a
 * plot filters on.
 */
function table<T extends { byRequest?: RequestBreakdown }>(items: T[], columns: Column<T>[]): string {
  const request = col<T>(
    'request',
    () => '',
    (_q, _t, name) => name,
  );
  const all = items.some((t) => t.byRequest) ? [columns[0]!, request, ...columns.slice(1)] : columns;
  const rows = items.flatMap((t) => [
    all.map((c) => c.total(t)),
    ...Object.entries(t.byRequest ?? {}).map(([name, q]) => all.map((c) => c.perRequest?.(q, t, name) ?? '')),
  ]);
  return stringify(rows, { header: true, columns: all.map((c) => c.name) });
}

export function windowsCsv(result: RunResult): string {
  const kinds = errorKinds(result.windows);
  const runtime = [...new Set(result.windows.flatMap((w) => Object.keys(w.runtime)))].sort();
  const first = result.windows.some((w) => w.firstMessage);
  const w = (x: WindowStats) => x;
  const columns: Column<WindowStats>[] = [
    both('index', (x) => x.index),
    both('step', (x) => x.stepIndex),
    both('phase', (x) => x.phase),
    both('warmup', (x) => x.warmup),
    both('sparse', (x) => x.sparse),
    both('t_start_ms', (x) => round(x.tStart, 1)),
    both('t_end_ms', (x) => round(x.tEnd, 1)),
    both('offered', (x) => x.offered),
    figure('sent', w, (f) => f.sent),
    figure('completed', w, (f) => f.completed),
    col('send_rate', (x) => round(x.sendRate, 1)),
    figure('achieved_rate', w, (f) => round(f.achievedRate, 1)),
    col(
      'error_rate',
      (x) => round(x.errorRate, 5),
      (q) => round(q.errorRate, 5),
    ),
    ...errorColumns(kinds, w),
    ...latencyColumns(w),
    ...(first ? firstMessageColumns<WindowStats>((x) => x.firstMessage) : []),
    col('send_lag_p99_ms', (x) => round(x.sendLagP99)),
    col('max_in_flight', (x) => x.maxInFlight),
    col(
      'cap_hits',
      (x) => x.capHits,
      (q) => q.errors['in-flight-cap'] ?? 0,
    ),
    col('mean_in_flight', (x) => round(x.meanInFlight ?? NaN)),
    col('generator_busy', (x) => round(x.generatorBusy ?? NaN)),
    ...runtime.map((r) => col<WindowStats>(`runtime_${r}`, (x) => x.runtime[r] ?? '')),
  ];
  return table(result.windows, columns);
}

export function stepsCsv(result: RunResult): string {
  const kinds = errorKinds(result.steps.map((s) => s.stats));
  const first = result.steps.some((s) => s.stats.firstMessage);
  type Row = StepResult & { byRequest?: RequestBreakdown };
  const stats = (s: Row) => s.stats;
  const columns: Column<Row>[] = [
    both('index', (s) => s.index),
    both('phase', (s) => s.phase),
    both('load', (s) => s.load),
    both('unit', (s) => s.unit),
    col('outcome', (s) => s.outcome),
    col('breached_signals', (s) => s.breaches.map((b) => b.signal).join(' ')),
    figure('sent', stats, (f) => f.sent),
    figure('completed', stats, (f) => f.completed),
    figure('achieved_rate', stats, (f) => round(f.achievedRate, 1)),
    ...errorColumns(kinds, stats),
    ...latencyColumns(stats),
    ...(first ? firstMessageColumns<Row>((s) => s.stats.firstMessage) : []),
    col('send_lag_p99_ms', (s) => round(s.stats.sendLagP99)),
    col('max_in_flight', (s) => s.stats.maxInFlight),
    col('elapsed_ms', (s) => round(s.stats.elapsedMs, 0)),
    col('windows', (s) => s.windowCount),
    col('little_in_flight', (s) => round(s.littlesLaw?.inFlight ?? NaN)),
    col('little_predicted', (s) => round(s.littlesLaw?.predicted ?? NaN)),
    col('little_ratio', (s) => round(s.littlesLaw?.ratio ?? NaN)),
    col('little_holds', (s) => (s.littlesLaw ? s.littlesLaw.holds : '')),
  ];
  // A step's per-request figures are in its stats.
  return table(
    result.steps.map((s): Row => ({ ...s, byRequest: s.stats.byRequest })),
    columns,
  );
}

export function runtimeCsv(result: RunResult): string {
  const rows = result.runtimeSamples.map((r) => [r.signal, round(r.t, 1), r.value ?? '', round(r.latencyMs, 2), r.error ?? '']);
  return stringify(rows, { header: true, columns: ['signal', 't_ms', 'value', 'latency_ms', 'error'] });
}

export const csvReporter: Reporter = {
  name: 'csv',
  async write(result, dir) {
    const files: string[] = [];
    await writeAtomic(join(dir, 'windows.csv'), windowsCsv(result));
    files.push('windows.csv');
    await writeAtomic(join(dir, 'steps.csv'), stepsCsv(result));
    files.push('steps.csv');
    if (result.runtimeSamples.length > 0 || result.samplers.length > 0) {
      await writeAtomic(join(dir, 'runtime.csv'), runtimeCsv(result));
      files.push('runtime.csv');
    }
    return files;
  },
};
