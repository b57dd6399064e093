// Scalability diagnostics of a finished run (reported, never gating): the
// USL fit of throughput vs concurrency (closed loop only) and the summary
// of each step's Little's-law check (both modes).
import type { ConnectionsDiagnostic, LoadUnit, RunDiagnostics, StepResult, UslDiagnostic } from '../types.js';
import { uslDiagnostic } from '../stats/usl.js';
import { littlesLawSummary } from '../stats/littles-law.js';

/** Steps whose throughput describes the target: measured, not cut short by an interrupt, not limited by the generator. */
export function uslPoints(steps: StepResult[]): { concurrency: number; throughput: number }[] {
  return steps
    .filter((s) => s.unit === 'connections' && (s.outcome === 'pass' || s.outcome === 'breach') && s.windowCount > 0 && s.stats.completed > 0)
    .map((s) => ({ concurrency: s.load, throughput: s.stats.achievedRate }));
}

export function runDiagnostics(steps: StepResult[], unit: LoadUnit, connections?: ConnectionsDiagnostic): RunDiagnostics {
  let usl: UslDiagnostic;
  if (unit !== 'connections') {
    usl = { status: 'not-applicable', detail: 'USL fit needs concurrency steps (load.mode concurrency); this run offered rates', fit: null, points: [] };
  } else {
    const points = uslPoints(steps);
    try {
      usl = uslDiagnostic(points, unit);
    } catch (err) {
      // A diagnostic never breaks a run.
      usl = { status: 'fit-failed', detail: `USL fit failed: ${(err as Error).message}`, fit: null, points };
    }
  }
  return { usl, littlesLaw: littlesLawSummary(steps), ...(connections ? { connections } : {}) };
}

/** One line on the connections of an http-open run, for the terminal summary and summary.md. */
export function connectionsLine(c: ConnectionsDiagnostic): string {
  const spoke = c.negotiated ?? 'none opened';
  return `HTTP/${c.requested} asked, ${spoke} negotiated; ${c.opened} connections opened, at most ${c.maxStreamsPerConnection} in flight on one`;
}
