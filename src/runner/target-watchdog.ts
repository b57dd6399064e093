// Tells a dead target within about a second. Every engine pushes every
// response and transport failure here as it happens (StepContext.liveness,
// required); a timer checks every ~100 ms whether nothing has answered for
// `silenceMs` while only connection errors came back (refused, reset; gRPC's
// UNAVAILABLE): the target process is gone or its port closed. Timeouts are not a dead target but a hanging one: they are
// errors the detector judges, so they keep the watchdog quiet. A window-based
// rule alone needs two whole windows (2 s with 1 s windows).
import type { LivenessSink } from '../types.js';

/** Silence (no response at all) after which connection errors mean the target is gone, ms. */
export const WATCHDOG_SILENCE_MS = 1_000;
/** How often the watchdog looks, ms. */
export const WATCHDOG_CHECK_MS = 100;
/** Failure kinds that mean no connection: HTTP's refused/reset sockets, gRPC's UNAVAILABLE (the channel has no server). */
export const CONNECTION_FAILURE_KINDS: ReadonlySet<string> = new Set(['connection', 'grpc-UNAVAILABLE']);

export interface WatchdogOptions {
  /** Run clock, ms. */
  now: () => number;
  silenceMs?: number;
  checkMs?: number;
  /** Called once, with a sentence, when the target is judged unreachable. */
  onUnreachable: (detail: string) => void;
}

/** Pure state: what has come back since the last response. */
export class LivenessTracker implements LivenessSink {
  private lastResponseAt: number;
  private connectionErrors = 0;
  private otherFailures = 0;

  constructor(startedAt: number) {
    this.lastResponseAt = startedAt;
  }

  response(at: number): void {
    if (at > this.lastResponseAt) this.lastResponseAt = at;
    this.connectionErrors = 0;
    this.otherFailures = 0;
  }

  failed(kind: string, _at: number): void {
    if (CONNECTION_FAILURE_KINDS.has(kind)) this.connectionErrors++;
    else this.otherFailures++;
  }

  /** A sentence when the target looks gone at `now`, else null. */
  verdict(now: number, silenceMs: number): string | null {
    const silent = now - this.lastResponseAt;
    if (silent < silenceMs || this.connectionErrors === 0 || this.otherFailures > 0) return null;
    return `no response for ${Math.round(silent)} ms, only connection errors (${this.connectionErrors}) since the last one`;
  }
}

/** One watchdog per step: start it with the step, stop it when the step returns. */
export class TargetWatchdog implements LivenessSink {
  private readonly tracker: LivenessTracker;
  private readonly timer: NodeJS.Timeout;
  private fired = false;

  constructor(private readonly opts: WatchdogOptions) {
    this.tracker = new LivenessTracker(opts.now());
    const silenceMs = opts.silenceMs ?? WATCHDOG_SILENCE_MS;
    this.timer = setInterval(() => {
      const why = this.tracker.verdict(opts.now(), silenceMs);
      if (why === null || this.fired) return;
      this.fired = true;
      this.stop();
      opts.onUnreachable(why);
    }, opts.checkMs ?? WATCHDOG_CHECK_MS);
    this.timer.unref();
  }

  response(at: number): void {
    this.tracker.response(at);
  }

  failed(kind: string, at: number): void {
    this.tracker.failed(kind, at);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** A sink that ignores everything: for an engine driven outside a run (benchmarks, engine tests), where no watchdog listens. */
export const ignoreLiveness: LivenessSink = {
  response() {},
  failed() {},
};
