import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { FirstMessageLatency, Reporter, RequestBreakdown, RunResult, WindowStats } from '../../types.js';
import { writeAtomic } from '../atomic-write.js';

const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : '');

/** Server-streaming gRPC calls: time to the first message (p50_ms/p99_ms are to the end of the stream). */
const FIRST_MESSAGE_COLUMNS = ['first_message_p50_ms', 'first_message_p99_ms'];
const firstMessageCells = (f: FirstMessageLatency | undefined) => (f ? [round(f.p50), round(f.p99)] : ['', '']);

/** Error kinds of the rows and of their per-request figures. */
function errorKinds(rows: { errors: Record<string, number>; byRequest?: RequestBreakdown }[]): string[] {
  return [...new Set(rows.flatMap((r) => [...Object.keys(r.errors), ...Object.values(r.byRequest ?? {}).flatMap((q) => Object.keys(q.errors))]))].sort();
}

/**
 * A run with several requests gets a `request` column (second): each window
 * (step) is its total row, request empty, followed by one row per request
 * name with the figures measured per request (the others left empty). One
 * row per request per window is the long shape a plot filters on.
 */
const REQUEST_COLUMN = 'request';

export function windowsCsv(result: RunResult): string {
  const kinds = errorKinds(result.windows);
  const runtime = [...new Set(result.windows.flatMap((w) => Object.keys(w.runtime)))].sort();
  const first = result.windows.some((w) => w.firstMessage);
  const perRequest = result.windows.some((w) => w.byRequest);
  const columns = [
    'index',
    ...(perRequest ? [REQUEST_COLUMN] : []),
    'step',
    'phase',
    'warmup',
    'sparse',
    't_start_ms',
    't_end_ms',
    'offered',
    'sent',
    'completed',
    'send_rate',
    'achieved_rate',
    'error_rate',
    'errors',
    ...kinds.map((k) => `errors_${k}`),
    'p50_ms',
    'p90_ms',
    'p99_ms',
    'max_ms',
    'mean_ms',
    ...(first ? FIRST_MESSAGE_COLUMNS : []),
    'send_lag_p99_ms',
    'max_in_flight',
    'cap_hits',
    'mean_in_flight',
    'generator_busy',
    ...runtime.map((r) => `runtime_${r}`),
  ];
  const rows = result.windows.flatMap((w: WindowStats) => [
    [
      w.index,
      ...(perRequest ? [''] : []),
      w.stepIndex,
      w.phase,
      w.warmup,
      w.sparse,
      round(w.tStart, 1),
      round(w.tEnd, 1),
      w.offered,
      w.sent,
      w.completed,
      round(w.sendRate, 1),
      round(w.achievedRate, 1),
      round(w.errorRate, 5),
      w.errorTotal,
      ...kinds.map((k) => w.errors[k] ?? 0),
      round(w.p50),
      round(w.p90),
      round(w.p99),
      round(w.max),
      round(w.mean),
      ...(first ? firstMessageCells(w.firstMessage) : []),
      round(w.sendLagP99),
      w.maxInFlight,
      w.capHits,
      round(w.meanInFlight ?? NaN),
      round(w.generatorBusy ?? NaN),
      ...runtime.map((r) => w.runtime[r] ?? ''),
    ],
    ...Object.entries(w.byRequest ?? {}).map(([name, q]) => [
      w.index,
      name,
      w.stepIndex,
      w.phase,
      w.warmup,
      w.sparse,
      round(w.tStart, 1),
      round(w.tEnd, 1),
      w.offered,
      q.sent,
      q.completed,
      '',
      round(q.achievedRate, 1),
      round(q.errorRate, 5),
      q.errorTotal,
      ...kinds.map((k) => q.errors[k] ?? 0),
      round(q.p50),
      round(q.p90),
      round(q.p99),
      round(q.max),
      round(q.mean),
      ...(first ? ['', ''] : []),
      '',
      '',
      q.errors['in-flight-cap'] ?? 0,
      '',
      '',
      ...runtime.map(() => ''),
    ]),
  ]);
  return stringify(rows, { header: true, columns });
}

export function stepsCsv(result: RunResult): string {
  const kinds = errorKinds(result.steps.map((s) => s.stats));
  const first = result.steps.some((s) => s.stats.firstMessage);
  const perRequest = result.steps.some((s) => s.stats.byRequest);
  const columns = [
    'index',
    ...(perRequest ? [REQUEST_COLUMN] : []),
    'phase',
    'load',
    'unit',
    'outcome',
    'breached_signals',
    'sent',
    'completed',
    'achieved_rate',
    'errors',
    ...kinds.map((k) => `errors_${k}`),
    'p50_ms',
    'p90_ms',
    'p99_ms',
    'max_ms',
    'mean_ms',
    ...(first ? FIRST_MESSAGE_COLUMNS : []),
    'send_lag_p99_ms',
    'max_in_flight',
    'elapsed_ms',
    'windows',
    'little_in_flight',
    'little_predicted',
    'little_ratio',
    'little_holds',
  ];
  const rows = result.steps.flatMap((s) => [
    [
      s.index,
      ...(perRequest ? [''] : []),
      s.phase,
      s.load,
      s.unit,
      s.outcome,
      s.breaches.map((b) => b.signal).join(' '),
      s.stats.sent,
      s.stats.completed,
      round(s.stats.achievedRate, 1),
      s.stats.errorTotal,
      ...kinds.map((k) => s.stats.errors[k] ?? 0),
      round(s.stats.p50),
      round(s.stats.p90),
      round(s.stats.p99),
      round(s.stats.max),
      round(s.stats.mean),
      ...(first ? firstMessageCells(s.stats.firstMessage) : []),
      round(s.stats.sendLagP99),
      s.stats.maxInFlight,
      round(s.stats.elapsedMs, 0),
      s.windowCount,
      round(s.littlesLaw?.inFlight ?? NaN),
      round(s.littlesLaw?.predicted ?? NaN),
      round(s.littlesLaw?.ratio ?? NaN),
      s.littlesLaw ? s.littlesLaw.holds : '',
    ],
    ...Object.entries(s.stats.byRequest ?? {}).map(([name, q]) => [
      s.index,
      name,
      s.phase,
      s.load,
      s.unit,
      '',
      '',
      q.sent,
      q.completed,
      round(q.achievedRate, 1),
      q.errorTotal,
      ...kinds.map((k) => q.errors[k] ?? 0),
      round(q.p50),
      round(q.p90),
      round(q.p99),
      round(q.max),
      round(q.mean),
      ...(first ? ['', ''] : []),
      ...Array<string>(8).fill(''),
    ]),
  ]);
  return stringify(rows, { header: true, columns });
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
