// What k6 cannot run of a scenario: one rule for the k6 engine (load.engine k6, checked with the
// scenario's rules) and `critpoint export k6`, so both refuse the same scenarios with the same words.
import type { Scenario } from '../../scenario/schema.js';
import { renderGot } from '../../scenario/format-issues.js';
import { isGrpcUrl } from '../../scenario/grpc-schema.js';
import { templatedStrings } from '../../requests/config.js';
import { parseText } from '../../requests/template.js';

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
  // The mix travels into the script (k6-script.ts: the same seeded pick); placeholders and data rows do not yet.
  if (s.requests && isGrpcUrl(s.target.url))
    out.push(
      `requests: k6 (load.engine k6 and export k6) carries an HTTP request mix only so far; a gRPC script calls the grpc: section's one method, got ${renderGot(s.requests.map((r) => r.name))}`,
    );
  if (s.data)
    out.push(
      `data.file: k6 (load.engine k6 and export k6) does not carry data files into its script yet; run the data on http-open or http-closed, got ${renderGot(s.data.file)}`,
    );
  for (const { at, text } of templatedStrings(s))
    if (parseText(text).tokens.some((t) => t.k !== 'env'))
      out.push(`${at}: k6 (load.engine k6 and export k6) does not fill placeholders other than \${env:} yet, got ${renderGot(text)}`);
  return out;
}
