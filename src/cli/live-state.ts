// What the live view knows, folded from the runner's ProgressEvents, and the
// frame it draws from that. Pure: events and a clock in, text lines out.
import type { Baseline, ProgressEvent, Step, StepResult, WindowStats } from '../types.js';
import { fmtNum } from '../reporters/headline.js';

export type LivePhase = 'starting' | 'preflight' | 'warm-up' | 'baseline' | 'ramp' | 'refine' | 'drain' | 'done';

export interface LiveState {
  runPhase: 'starting' | 'preflight' | 'baseline' | 'ramp' | 'refine' | 'done';
  step: Step | null;
  /** View clock (ms) at the current step's start. */
  stepStartedAt: number;
  /** Evaluated windows seen in the current step. */
  stepWindows: number;
  window: WindowStats | null;
  baseline: Baseline | null;
  last: StepResult | null;
  lastPass: number | null;
  firstBreach: number | null;
  inStep: boolean;
}

export const initialLiveState = (): LiveState => ({
  runPhase: 'starting',
  step: null,
  stepStartedAt: 0,
  stepWindows: 0,
  window: null,
  baseline: null,
  last: null,
  lastPass: null,
  firstBreach: null,
  inStep: false,
});

export function reduceLive(s: LiveState, e: ProgressEvent, now: number): LiveState {
  switch (e.type) {
    case 'phase':
      return e.phase === 'drain' ? s : { ...s, runPhase: e.phase };
    case 'step-start':
      return { ...s, step: e.step, stepStartedAt: now, stepWindows: 0, window: null, inStep: true };
    case 'window':
      return { ...s, window: e.window, baseline: e.baseline ?? s.baseline, stepWindows: s.stepWindows + (e.window.warmup ? 0 : 1) };
    case 'step-end': {
      const r = e.result;
      const pass = r.outcome === 'pass';
      const breach = r.outcome === 'breach';
      return {
        ...s,
        last: r,
        inStep: false,
        lastPass: pass && (s.lastPass === null || r.load > s.lastPass) ? r.load : s.lastPass,
        firstBreach: breach && (s.firstBreach === null || r.load < s.firstBreach) ? r.load : s.firstBreach,
      };
    }
    default:
      return s;
  }
}

/** The phase people see: warm-up inside the baseline step, drain between steps. */
export function livePhase(s: LiveState, now: number): LivePhase {
  if (s.runPhase === 'done') return 'done';
  if (s.runPhase === 'starting' || s.runPhase === 'preflight') return s.runPhase;
  if (!s.inStep) return s.step ? 'drain' : s.runPhase;
  if (s.step?.phase === 'baseline' && s.step.warmupMs > 0 && now - s.stepStartedAt < s.step.warmupMs && !(s.window && !s.window.warmup)) return 'warm-up';
  return s.step?.phase ?? s.runPhase;
}

export interface FrameContext {
  now: number;
  /** load.maxDuration, ms. */
  budgetMs: number;
  /** Coarse ramp loads of the plan (for "ramp 3 of 6"). */
  rampLoads: number[];
  refineSteps: number;
  columns: number;
  color: boolean;
}

/** A piece of a line, optionally coloured. */
export type Seg = [text: string, style?: 'bold' | 'red' | 'green' | 'dim'];

const STYLE = { bold: '\x1b[1m', red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m' } as const;

/** Renders segments, cut to `columns - 1` visible characters so no line wraps. */
export function renderLine(segs: Seg[], columns: number, color: boolean): string {
  let room = Math.max(10, columns - 1);
  let out = '';
  for (const [text, style] of segs) {
    if (room <= 0) break;
    const t = text.length > room ? text.slice(0, room) : text;
    room -= t.length;
    out += color && style ? `${STYLE[style]}${t}\x1b[0m` : t;
  }
  return out;
}

export const clock = (ms: number) => {
  const t = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};
const num = (x: number | null | undefined, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(d);

/** "<label> <value> / threshold <t>", the value in red when it is past the threshold. */
function signalSegs(name: string, label: string, value: number | null | undefined, s: LiveState, fmt: (v: number) => string): Seg[] {
  const b = s.baseline?.signals[name];
  const v = value === null || value === undefined || !Number.isFinite(value) ? null : value;
  if (!b) return [[`${label} ${v === null ? '-' : fmt(v)}`], [s.baseline ? '' : ' (baseline not learned yet)', 'dim']];
  const over = v !== null && (b.direction === 'up' ? v > b.threshold : v < b.threshold);
  return [[`${label} `], [v === null ? '-' : fmt(v), over ? 'red' : undefined], [` / threshold ${fmt(b.threshold)}`], over ? [' over threshold', 'red'] : ['']];
}

export function liveFrame(s: LiveState, ctx: FrameContext): string[] {
  const phase = livePhase(s, ctx.now);
  const step = s.step;
  const w = s.window;
  const lines: Seg[][] = [];
  const left = ctx.budgetMs - ctx.now;
  let where = '';
  if (step) {
    const rampPos = ctx.rampLoads.indexOf(step.load) + 1;
    const tag =
      step.phase === 'ramp' && rampPos > 0
        ? ` (ramp ${rampPos} of ${ctx.rampLoads.length})`
        : step.phase === 'refine'
          ? ` (refine, up to ${ctx.refineSteps})`
          : '';
    const total = step.warmupMs + step.durationMs;
    where =
      `step #${step.index}${tag} ${num(step.load)} ${step.unit}` +
      (s.inStep ? ` ${num(Math.min(ctx.now - s.stepStartedAt, total) / 1000)}/${num(total / 1000)} s` : '');
  }
  lines.push([['critpoint ', 'dim'], [phase.padEnd(9), 'bold'], [` ${where}`]]);
  lines.push([[`elapsed ${clock(ctx.now)}   budget ${clock(ctx.budgetMs)} (load.maxDuration), ${clock(left)} left`, 'dim']]);
  if (w && s.inStep) {
    const ratio = w.offered > 0 ? ` (${((w.achievedRate / w.offered) * 100).toFixed(1)}% of offered)` : '';
    lines.push([
      [
        `rate     offered ${num(w.offered)}/s  sent ${num(w.sendRate)}/s  achieved ${num(w.achievedRate)}/s${ratio}  in flight ${w.maxInFlight}  send lag p99 ${num(w.sendLagP99, 2)} ms`,
      ],
    ]);
    lines.push([['latency  '], ...signalSegs('p99', 'p99', w.p99, s, (v) => `${num(v)} ms`), [`   p50 ${num(w.p50)} ms`]]);
    lines.push([['errors   '], ...signalSegs('errors', 'rate', w.errorRate, s, (v) => `${(v * 100).toFixed(2)}%`)]);
    for (const [name, value] of Object.entries(w.runtime).sort(([a], [b]) => a.localeCompare(b))) {
      lines.push([['runtime  '], ...signalSegs(name, name, value, s, (v) => fmtNum(v, 4))]);
    }
    if (phase === 'baseline' && !s.baseline) lines.push([[`learning the baseline: ${s.stepWindows} window(s) so far`, 'dim']]);
  } else if (step && s.inStep) {
    lines.push([['waiting for the first window...', 'dim']]);
  }
  const last = s.last;
  const summary: Seg[] = [];
  if (last)
    summary.push(
      [`last: #${last.index} ${last.phase} ${num(last.load)} ${last.unit} `],
      [last.outcome, last.outcome === 'pass' ? 'green' : 'red'],
      [`, p99 ${num(last.stats.p99)} ms`],
    );
  if (s.lastPass !== null) summary.push([`   last pass ${num(s.lastPass)}`]);
  if (s.firstBreach !== null) summary.push([`   first breach ${num(s.firstBreach)}`, 'red']);
  if (summary.length > 0) lines.push(summary);
  return lines.map((l) => renderLine(l, ctx.columns, ctx.color));
}
