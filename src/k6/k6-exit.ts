// k6's exit codes (errext/exitcodes) and what they mean to critpoint, plus
// the stderr line k6 prints when a threshold with abortOnFail stops a test.
import type { StopReason } from '../types.js';

export const K6_EXIT = {
  ok: 0,
  cloudTestRunFailed: 97,
  thresholdsHaveFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  genericTimeout: 102,
  scriptStoppedFromRestApi: 103,
  invalidConfig: 104,
  externalAbort: 105,
  cannotStartRestApi: 106,
  scriptException: 107,
  scriptAborted: 108,
  goPanic: 109,
} as const;

const NAMES: Record<number, string> = {
  0: 'success',
  97: 'cloud test run failed',
  98: 'cloud progress sync failed',
  99: 'thresholds crossed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'timeout',
  103: 'stopped through the REST API',
  104: 'invalid configuration',
  105: 'aborted by a signal (SIGINT/SIGTERM)',
  106: 'REST API could not start',
  107: 'script exception',
  108: 'script called test.abort()',
  109: 'Go panic',
};

export function k6ExitName(code: number): string {
  return NAMES[code] ?? `exit code ${code}`;
}

export interface K6ExitInput {
  code: number | null;
  /** Set when k6 died of a signal without an exit code. */
  signal?: string | null;
  /** critpoint asked k6 to stop (REST API or its fallback signal). */
  stopRequested: boolean;
  /** The last lines k6 printed on stderr. */
  stderrTail?: string;
}

export interface K6ExitOutcome {
  /** 'ok': the step ended as planned or as critpoint asked; 'stop': the run must stop with `reason`. */
  kind: 'ok' | 'stop';
  reason?: StopReason;
  detail: string;
}

export interface K6ThresholdAbort {
  metrics: string[];
  message: string;
}

const ABORT = /thresholds on metrics '([^']*)' (?:were|have been) crossed/;

/** Finds k6's "thresholds on metrics '...' were crossed; ... abortOnFail ..." line. */
export function parseThresholdAbort(stderr: string): K6ThresholdAbort | null {
  for (const line of stderr.split('\n').reverse()) {
    const m = ABORT.exec(line);
    if (!m) continue;
    const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
    return {
      metrics: (m[1] as string)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      message: msg ? (msg[1] as string) : line.trim(),
    };
  }
  return null;
}

function lastErrorLine(stderr: string | undefined): string {
  const lines = (stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const err = [...lines].reverse().find((l) => /level=(error|fatal)|^error/i.test(l));
  return err ?? lines[lines.length - 1] ?? '';
}

/**
 * The mapping (docs/k6.md, "k6 exit codes"): 0 and a stop critpoint asked for
 * (103 REST API, 105 its fallback signal) end the step normally; 103/105
 * nobody asked for mean someone else stopped k6: `interrupted`; 99 (a
 * threshold with abortOnFail) is `breach` when the caller can name the step
 * (analyze), otherwise reported as `error` by the engine, whose scripts set no
 * thresholds; 108 (test.abort()), 104, 107 and the rest are `error`.
 */
export function classifyK6Exit(x: K6ExitInput): K6ExitOutcome {
  const why = lastErrorLine(x.stderrTail);
  const tail = why ? `: ${why}` : '';
  if (x.code === K6_EXIT.ok) return { kind: 'ok', detail: 'k6 finished the step' };
  if (x.code === null) {
    if (x.stopRequested) return { kind: 'ok', detail: `k6 ended by ${x.signal ?? 'a signal'} after critpoint asked it to stop` };
    return { kind: 'stop', reason: 'interrupted', detail: `k6 was killed by ${x.signal ?? 'a signal'} critpoint did not send` };
  }
  if (x.code === K6_EXIT.scriptStoppedFromRestApi || x.code === K6_EXIT.externalAbort) {
    if (x.stopRequested) return { kind: 'ok', detail: `k6 stopped as asked (exit ${x.code}: ${k6ExitName(x.code)})` };
    return { kind: 'stop', reason: 'interrupted', detail: `k6 was stopped from outside (exit ${x.code}: ${k6ExitName(x.code)})` };
  }
  if (x.code === K6_EXIT.thresholdsHaveFailed) {
    const abort = parseThresholdAbort(x.stderrTail ?? '');
    const which = abort ? `thresholds on ${abort.metrics.join(', ')} were crossed` : 'a threshold was crossed';
    return { kind: 'stop', reason: 'breach', detail: `k6 stopped the test: ${which} (exit 99)` };
  }
  return { kind: 'stop', reason: 'error', detail: `k6 failed (exit ${x.code}: ${k6ExitName(x.code)})${tail}` };
}

/**
 * Thresholds a `--summary-export` file marks as crossed (k6 writes `true` for a
 * crossed threshold), as "metric: expression".
 */
export function crossedThresholds(summaryExport: unknown): string[] {
  const metrics = (summaryExport as { metrics?: Record<string, { thresholds?: Record<string, boolean> }> } | null)?.metrics ?? {};
  const out: string[] = [];
  for (const [name, m] of Object.entries(metrics)) {
    for (const [expr, crossed] of Object.entries(m?.thresholds ?? {})) if (crossed === true) out.push(`${name}: ${expr}`);
  }
  return out.sort();
}
