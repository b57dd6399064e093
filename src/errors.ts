// A few error classes with a stable code, an exit code and a hint. The CLI
// turns them into exit codes in one place (cli/main.ts).
import type { StopReason } from './types.js';

/** Documented exit codes (README: "Exit codes"). */
export const EXIT = {
  /** A critical point was found (the run stopped on a confirmed breach). */
  breach: 0,
  /** Unexpected internal error. */
  error: 1,
  /** Invalid scenario or command line: nothing was sent. */
  invalid: 2,
  /** The ramp ended with no breach: the critical point is above the ramp. */
  completed: 3,
  /** The target could not be reached (before or during the run). */
  targetUnreachable: 4,
  /** The load generator could not keep up: no critical point can be named. */
  generatorLimited: 5,
  /** The results folder cannot be written. */
  notWritable: 6,
  /** load.engine is k6 and no k6 binary was found (PATH or K6_BINARY): nothing was sent. */
  k6NotFound: 7,
  /** The target failed (nearly) every baseline request (e.g. a 403 to each): no baseline, no critical point. */
  baselineFailed: 8,
  /** compare --fail-on: the comparison found what it fails on (a regression, any change, or a drop of at least the threshold). */
  compareFailed: 9,
  /** gate: PASS, the head's critical point surely did not drop by --max-drop or more. */
  gatePass: 0,
  /** gate: BLOCK, the head's critical point dropped by --max-drop or more. */
  gateBlock: 10,
  /** gate: INCONCLUSIVE, neither PASS nor BLOCK after --max-pairs pairs. */
  gateInconclusive: 11,
  /** gate: no verdict, a run failed (generator-limited, unreachable, no breach within the ramp, error). */
  gateError: 12,
  /** Interrupted by SIGINT. */
  sigint: 130,
  /** Interrupted by SIGTERM. */
  sigterm: 143,
} as const;

export function exitCodeFor(reason: StopReason, signal?: string): number {
  switch (reason) {
    case 'breach':
      return EXIT.breach;
    case 'completed':
      return EXIT.completed;
    case 'generator-limited':
      return EXIT.generatorLimited;
    case 'target-unreachable':
      return EXIT.targetUnreachable;
    case 'baseline-failed':
      return EXIT.baselineFailed;
    case 'interrupted':
      return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
    case 'error':
      return EXIT.error;
  }
}

export class CritpointError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Problems a message lists; the rest are counted, so garbage input cannot flood a terminal or a CI log. */
export const MAX_LISTED_PROBLEMS = 20;

/** The message of a ScenarioError: one problem on one line (`source: problem`), several listed (at most MAX_LISTED_PROBLEMS). */
export function problemsMessage(source: string, problems: readonly string[]): string {
  if (problems.length === 1) return `${source}: ${problems[0]}`;
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length - shown.length;
  return `${source} is invalid (${problems.length} problems):\n  ${shown.join('\n  ')}${more > 0 ? `\n  ... and ${more} more` : ''}`;
}

/** Every problem of a scenario, each as `<dot.path>: <what is wrong>, got <value>`. */
export class ScenarioError extends CritpointError {
  constructor(
    readonly problems: string[],
    readonly source = 'scenario',
  ) {
    super(problemsMessage(source, problems), 'invalid-scenario', EXIT.invalid);
  }
}

export class TargetUnreachableError extends CritpointError {
  constructor(url: string, cause: string) {
    super(
      `target ${url} is unreachable: ${cause}`,
      'target-unreachable',
      EXIT.targetUnreachable,
      'check that the service runs and that target.url (or --target) points at it',
    );
  }
}

export class NotWritableError extends CritpointError {
  constructor(dir: string, cause: string) {
    super(`results folder ${dir} is not writable: ${cause}`, 'not-writable', EXIT.notWritable, 'choose another folder with report.dir or --out');
  }
}

/** An engine's load tool ended in a way that ends the run (e.g. k6 stopped from outside): the runner stops with `stopReason`. */
export class EngineStopError extends CritpointError {
  constructor(
    message: string,
    readonly stopReason: StopReason,
  ) {
    super(message, 'engine-stop', exitCodeFor(stopReason));
  }
}

export class K6NotFoundError extends CritpointError {
  constructor(detail: string) {
    super(
      `k6 not found: ${detail}`,
      'k6-not-found',
      EXIT.k6NotFound,
      'install k6 v0.48 or newer (Grafana k6: see its "Install k6" page, e.g. `brew install k6`, the k6 .deb/.rpm packages, or the grafana/k6 container image) and put it on PATH or set K6_BINARY=/path/to/k6; or run with load.engine: http-open',
    );
  }
}
