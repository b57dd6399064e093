// What k6 cannot run of a scenario: one rule for the k6 engine (load.engine k6, checked with the
// scenario's rules) and `critpoint export k6`, so both refuse the same scenarios with the same words.
import type { Scenario } from '../../scenario/schema.js';
import { renderGot } from '../../scenario/format-issues.js';

/** Every reason k6 cannot run this scenario, each as `<dot.path>: <what is wrong>, got <value>`. */
export function k6Refusals(s: Scenario): string[] {
  const out: string[] = [];
  if (s.load.mode === 'concurrency') {
    out.push(
      `load.mode: k6 (load.engine k6 and export k6) runs rate steps only (ramping-arrival-rate); concurrency steps run on the http-closed or grpc engine, got ${renderGot(s.load.mode)}`,
    );
  }
  if (s.load.pacing !== 'timer') {
    out.push(
      `load.pacing: k6 paces its own iterations (ramping-arrival-rate); spin applies to the http-open and grpc engines, got ${renderGot(s.load.pacing)}`,
    );
  }
  return out;
}
