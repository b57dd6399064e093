// Shared open-loop pacing loop (HTTP and gRPC engines use the same code):
// requests leave on the schedule whether or not earlier ones answered; the
// loop wakes on a timer, sends everything whose intended time has come, and
// stops at the step's end or the moment the abort signal fires.
import type { Pacer } from '../load/rate-schedule.js';

export interface PacingOptions {
  pacer: Pacer;
  /** Run-clock time the schedule starts (ms). */
  startAt: number;
  /** Schedule length (ms): no request is intended at or after startAt + durationMs. */
  durationMs: number;
  now: () => number;
  signal: AbortSignal;
  /** Called for each request with its intended send time (run clock, ms). */
  send: (intendedAt: number) => void;
  /** Safety cap on requests for this schedule. */
  maxRequests: number;
}

/** Runs the schedule; resolves when the last request was dispatched or on abort (true = aborted). */
export function runPacing(opts: PacingOptions): Promise<boolean> {
  const { pacer, startAt, durationMs, now, signal, send, maxRequests } = opts;
  return new Promise((resolve) => {
    let next = pacer.next();
    let count = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(aborted);
    };
    const onAbort = () => finish(true);
    if (signal.aborted) return finish(true);
    signal.addEventListener('abort', onAbort, { once: true });

    const pump = () => {
      timer = undefined;
      if (done) return;
      const elapsed = now() - startAt;
      while (next <= elapsed && next < durationMs && count < maxRequests) {
        send(startAt + next);
        count++;
        next = pacer.next();
        if (signal.aborted) return finish(true);
      }
      if (next >= durationMs || count >= maxRequests) return finish(false);
      timer = setTimeout(pump, Math.max(0, next - (now() - startAt) - 0.5));
    };
    pump();
  });
}
