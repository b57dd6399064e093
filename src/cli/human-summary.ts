// Human text for stderr: the result headline and the step table.
import { connectionsLine } from '../runner/diagnostics.js';
import type { ProgressEvent, RunResult } from '../types.js';
import { phaseLabels } from '../reporters/headline.js';

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

export function headline(r: RunResult): string {
  const cp = r.criticalPoint;
  if (cp) {
    return `critical point: ${cp.value} ${cp.unit} (last pass ${cp.lastPass}, first breach ${cp.firstBreach}, resolution ${(cp.resolution * 100).toFixed(1)}%) - ${cp.signals.map((s) => s.reason).join('; ')}`;
  }
  switch (r.stopReason) {
    case 'completed':
      return `no critical point within the ramp: the target passed every step up to ${r.lastPass ?? '-'} ${r.steps[0]?.unit ?? 'req/s'}`;
    case 'generator-limited':
      return `generator-limited: ${r.stopDetail}`;
    default:
      return `${r.stopReason}: ${r.stopDetail}`;
  }
}

export function stepTable(r: RunResult): string {
  const head = 'step  phase            load      outcome            sent   achieved/s  p50 ms  p99 ms  errors  lag p99';
  const phases = phaseLabels(r);
  const lines = r.steps.map((s) =>
    [
      String(s.index).padEnd(5),
      (phases.get(s.index) ?? s.phase).padEnd(16),
      String(s.load).padEnd(9),
      `${s.outcome}${s.breaches.length ? `(${s.breaches.map((b) => b.signal).join(',')})` : ''}`.padEnd(18),
      String(s.stats.sent).padStart(6),
      f(s.stats.achievedRate).padStart(11),
      f(s.stats.p50, 2).padStart(7),
      f(s.stats.p99, 2).padStart(7),
      String(s.stats.errorTotal).padStart(7),
      f(s.stats.sendLagP99, 2).padStart(8),
    ].join(' '),
  );
  return [head, ...lines].join('\n');
}

export function humanSummary(r: RunResult, runDir: string | null): string {
  // A run that sent no load (preflight failed) gets the short form: no empty step table.
  const out = [...(r.steps.length > 0 ? [stepTable(r), ''] : []), headline(r), `stop reason: ${r.stopReason} (exit code ${r.exitCode})`];
  if (r.diagnostics && r.steps.length > 0)
    out.push(`diagnostics (not gating): ${r.diagnostics.usl.detail}`, `diagnostics (not gating): ${r.diagnostics.littlesLaw.detail}`);
  if (r.diagnostics?.connections && r.steps.length > 0) out.push(`connections: ${connectionsLine(r.diagnostics.connections)}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (runDir) out.push(`run folder: ${runDir}`);
  return out.join('\n');
}

/** One plain line per step (non-TTY progress). */
export function progressLine(e: ProgressEvent): string | null {
  switch (e.type) {
    case 'phase':
      return e.phase === 'done' ? null : `[${e.phase}]${e.detail ? ` ${e.detail}` : ''}`;
    case 'step-start':
      return null;
    case 'step-end': {
      const s = e.result;
      return `  step ${s.index} ${s.phase} ${s.load} ${s.unit}: ${s.outcome}${s.breaches.length ? ` (${s.breaches.map((b) => b.reason).join('; ')})` : ''} - achieved ${f(s.stats.achievedRate)}/s, p50 ${f(s.stats.p50, 2)} ms, p99 ${f(s.stats.p99, 2)} ms, errors ${s.stats.errorTotal}`;
    }
    case 'warning':
      return `warning: ${e.message}`;
    default:
      return null;
  }
}
