// The run-time caps against a real target: the guards (maxRequests, maxDuration, maxRate) holding when
// only the refinement would go over them. Bad and hostile input, --dry-run and plans over a cap
// rejected before load (no load sent) are in test/light/input.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runner/run.js';
import { summarizePlan } from '../../src/load/ramp-plan.js';
import { fastScenario } from '../helpers/scenarios.js';
import { BUSY_MACHINE_GENERATOR, startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';

let target: FaultTarget;
beforeAll(async () => {
  target = await startFaultTarget({ workers: 4, serviceMs: 5 });
});
afterAll(async () => {
  await target?.stop();
});

const requests = async () => (await target.stats()).requests;

describe('run-time caps hold when only the refinement would exceed them (target: 4 slots x 5 ms = 800 req/s)', () => {
  // Ramp 400 -> 784, 1098 (= end = maxRate); refinement follows the breach. It usually comes at 1098,
  // but a stall can make it 784, which leaves more of the budget for refinement: a 0.5% resolution (up
  // to 10 bisection steps) needs more than is left wherever the breach comes, so the caps, not the
  // search, end every run.
  const base = { start: 400, end: 1098, growth: { factor: 1.96 }, baselineWindows: 5, maxRate: 1098, refine: { resolution: 0.005, maxSteps: 10 } };
  const detect = { generator: BUSY_MACHINE_GENERATOR };

  it('load.maxRequests: the run stops once the budget is spent; the target never sees more', async () => {
    const probeS = fastScenario(target.url, { load: base, detect });
    const plan = summarizePlan(probeS);
    // Exactly what the coarse plan needs (the plan check passes): whatever the refinement wants is over budget.
    const maxRequests = plan.coarseRequests!;
    const s = fastScenario(target.url, { name: 'max-requests', load: { ...base, maxRequests }, detect });
    const before = await requests();
    const { result } = await runScenario(s, { dryWrite: true });
    const seen = (await requests()) - before;
    const scheduled = result.windows.reduce((a, w) => a + w.scheduled, 0);
    console.log(
      `maxRequests ${maxRequests} (coarse plan ${plan.coarseRequests}): scheduled ${scheduled}, target saw ${seen} (incl. 1 preflight); ${result.stopDetail}`,
    );
    expect(result.stopDetail).toMatch(/load\.maxRequests \(\d+\) reached/);
    expect(result.warnings.join('\n')).toMatch(/load\.maxRequests ended refinement early/);
    expect(result.stopReason).toBe('breach');
    expect(scheduled).toBeLessThanOrEqual(maxRequests);
    expect(seen).toBeLessThanOrEqual(maxRequests + 1);
    // load.maxRate: no step above it, and the target never saw more than it in any second.
    expect(Math.max(...result.steps.map((st) => st.load))).toBeLessThanOrEqual(1098);
    expect((await target.stats()).perSecondMax).toBeLessThanOrEqual(1098 * 1.1);
  });

  it('load.maxDuration: the run stops sending at the budget and ends right after it', async () => {
    const probeS = fastScenario(target.url, { load: base, detect });
    const maxDuration = summarizePlan(probeS).coarseMs + 2_000;
    const s = fastScenario(target.url, { name: 'max-duration', load: { ...base, maxDuration: `${maxDuration}ms` }, detect });
    const { result } = await runScenario(s, { dryWrite: true });
    console.log(`maxDuration ${maxDuration} ms: run took ${result.durationMs} ms; ${result.stopDetail}`);
    expect(result.stopDetail).toMatch(/load\.maxDuration \(\d+ ms\) reached/);
    expect(result.durationMs).toBeLessThan(maxDuration + 1_500);
    const lastSend = Math.max(...result.windows.filter((w) => w.sent > 0).map((w) => w.tStart));
    // The step is bounded to end at the budget and the cap's timer aborts at it; both are timers, so the
    // last send may land a timer tick past it (a fresh-clone run: 0.6 ms).
    expect(lastSend).toBeLessThan(maxDuration + 5);
  });
});
