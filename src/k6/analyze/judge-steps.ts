// The search's decisions, taken after the fact on steps k6 already ran: the
// analyzer drives the same controller as the live runner (search/), in its
// replay mode (only the steps that ran exist: nothing is repeated or
// refined). The first confirmed breach names the critical point at the
// ramp's resolution. Steps k6 ran past the decision are still judged and
// reported, and do not move the critical point.
import type { Baseline, SignalBreach, StepResult, StepStats } from '../../types.js';
import type { Scenario } from '../../scenario/schema.js';
import { SearchController, type SearchStop } from '../../search/controller.js';
import type { JudgedStep } from '../../search/step-judge.js';
import { classifyK6Exit, parseThresholdAbort } from '../k6-exit.js';

export interface K6ExitInfo {
  code: number;
  stderr?: string;
  /** Thresholds the run's --summary-export marks as crossed ("metric: expression"). */
  crossed?: string[];
}

export interface Judgement {
  baseline: Baseline | null;
  steps: StepResult[];
  stop: SearchStop;
  warnings: string[];
}

const feed = (judge: ReturnType<SearchController['judgeFor']>, stats: StepStats, externalBreach?: SignalBreach): JudgedStep => {
  for (const w of stats.windows) judge.window(w);
  return judge.finish(stats, externalBreach ? { externalBreach } : {});
};

/** k6's own threshold (abortOnFail) stopped the test during this step: it breached. */
function thresholdBreach(stats: StepStats, exit: K6ExitInfo): SignalBreach {
  const abort = parseThresholdAbort(exit.stderr ?? '');
  const which = abort ? ` on ${abort.metrics.join(', ')}` : exit.crossed?.length ? ` (${exit.crossed.join('; ')})` : '';
  const reason = `k6 thresholds${which} were crossed (exit 99) during the ${stats.step.load} ${stats.step.unit} step`;
  return { signal: 'k6-thresholds', values: [], windowIndexes: [], baselineMedian: NaN, sigma: NaN, threshold: NaN, reason };
}

/** `ran`: the steps with data, in plan order; `plannedSteps`: how many the plan has. */
export function judgeSteps(ran: StepStats[], plannedSteps: number, s: Scenario, exit?: K6ExitInfo): Judgement {
  const search = new SearchController(s, { replay: true });
  const complete = ran.length >= plannedSteps;
  let p = search.start();
  let i = 0;
  if (ran[0]?.step.phase !== 'baseline') p = search.fail('error', 'the k6 output has no baseline step (critpoint_step=0)');
  while (p.kind === 'step') {
    const stats = ran[i];
    if (!stats) {
      const ends = `the k6 output ends at step ${ran.length - 1} of ${plannedSteps - 1} with no breach`;
      if (complete) p = search.fail('error', `the k6 output has no step at ${p.step.load} ${p.step.unit}, which the scenario plans`);
      else if (!exit) p = search.fail('error', `${ends}; pass --k6-exit-code to tell why k6 stopped`);
      else {
        const why = classifyK6Exit({ code: exit.code, stopRequested: false, stderrTail: exit.stderr });
        p = search.fail(why.kind === 'stop' && why.reason ? why.reason : 'error', `${ends}: ${why.detail}`);
      }
      break;
    }
    if (stats.step.load !== p.step.load) {
      p = search.fail(
        'error',
        `k6 step ${stats.step.index} ran at ${stats.step.load} ${stats.step.unit}, the search asks for ${p.step.load} ${p.step.unit}: the script was exported from another scenario`,
      );
      break;
    }
    // The output ends early after k6's own threshold aborted the run: the last step with data breached.
    const aborted = !complete && exit?.code === 99 && i === ran.length - 1 && i >= 1;
    p = search.next(feed(search.judge(p), { ...stats, step: p.step }, aborted && exit ? thresholdBreach(stats, exit) : undefined));
    i++;
  }
  const warnings = [...search.warnings];
  // Steps k6 ran past the decision: judged against the band, reported, never filed as decisions.
  const past = ran.slice(i).map((st) => feed(search.judgeFor(st.step), st).result);
  if (past.length > 0) warnings.push(`k6 ran ${past.length} more step(s) after the decision; they are reported and do not move the critical point`);
  const cp = p.criticalPoint;
  if (cp)
    warnings.push(
      `analyze cannot refine after the fact: the resolution is the ramp's step from ${cp.lastPass} to ${cp.firstBreach} ${cp.unit}; re-export with load.start/load.end around them and a smaller load.growth to sharpen it`,
    );
  return { baseline: search.baseline, steps: [...search.steps, ...past], stop: p, warnings };
}
