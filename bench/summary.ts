// The issue's targets (#10), each with the figure the benchmarks measured and
// whether it is met: one table at the end of `npm run bench`.
import type { BenchResult, TargetCheck } from './types.js';

/** The benchmark that measures each target, in the issue's order. */
const ISSUE_TARGETS: { bench: string; target: string }[] = [
  { bench: 'accuracy', target: 'accuracy within +-5% with CV <= 3%' },
  { bench: 'time-to-answer', target: '<= 60 s of load to a 5% critical point' },
  { bench: 'stop-latency', target: 'last request <= 100 ms after the decision' },
  { bench: 'paced-engine', target: 'paced engine >= 0.9x autocannon' },
  { bench: 'closed-loop', target: 'concurrency mode vs bare autocannon' },
  { bench: 'memory', target: 'RSS <= 150 MB at 10k req/s' },
  { bench: 'false-stops', target: '0 false stops in 20 runs' },
];

export interface SummaryRow {
  bench: string;
  target: string;
  measured: string;
  result: 'met' | 'not met' | 'not judged' | 'not run' | 'failed';
}

const verdict = (t: TargetCheck): SummaryRow['result'] => (t.met === true ? 'met' : t.met === false ? 'not met' : 'not judged');

export function summarize(results: Record<string, BenchResult | { error: string }>): SummaryRow[] {
  return ISSUE_TARGETS.flatMap(({ bench, target }): SummaryRow[] => {
    const r = results[bench];
    if (!r) return [{ bench, target, measured: '-', result: 'not run' }];
    if ('error' in r) return [{ bench, target, measured: r.error.split('\n')[0] ?? 'error', result: 'failed' }];
    if (!r.targets?.length) return [{ bench, target, measured: '(no figure)', result: 'not judged' }];
    return r.targets.map((t) => ({ bench, target: t.target, measured: t.measured, result: verdict(t) }));
  });
}
