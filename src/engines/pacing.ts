// Shared open-loop pacing loop (HTTP and gRPC engines use the same code):
// requests leave on the schedule whether or not earlier ones answered; the
// loop wakes, sends everything whose intended time has come, and stops at the
// step's end or the moment the abort signal fires.
//
// How it waits (load.pacing):
// - 'timer' sleeps on a Node timer. Timers fire on libuv's millisecond clock,
//   so a send can leave up to ~1-2 ms after its intended time even on an idle
//   machine: that is most of the send lag at low rates. Costs no idle CPU.
// - 'spin' sleeps on a timer only while the next send is more than
//   SPIN_AHEAD_MS away, then turns the event loop with setImmediate (I/O and
//   timers are still served every turn) until the send is due: sub-millisecond
//   send lag, at the price of one busy core while the schedule runs at more
//   than a few hundred requests per second.
import type { Pacer } from '../load/rate-schedule.js';

export type PacingMode = 'timer' | 'spin';

/** In spin mode, how far ahead of the next send the timer hands over to the spinning loop (ms): above a timer's own lateness. */
export const SPIN_AHEAD_MS = 3;

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
  /** How the loop waits for the next send. Default 'timer'. */
  mode?: PacingMode;
  /**
   * Hands the engine a function that sends, at once, whatever is due now.
   * An engine calls it as responses arrive: one turn of the event loop that
   * reads many responses can take milliseconds, and sends that fall due in it
   * would otherwise wait for the loop's next wake-up. Sends keep their
   * intended times (send lag is measured the same way); only waiting shrinks.
   */
  onStart?: (sendDue: () => void) => void;
}

/** Runs the schedule; resolves when the last request was dispatched or on abort (true = aborted). */
export function runPacing(opts: PacingOptions): Promise<boolean> {
  const { pacer, startAt, durationMs, now, signal, send, maxRequests } = opts;
  const spin = opts.mode === 'spin';
  return new Promise((resolve) => {
    let next = pacer.next();
    let count = 0;
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      signal.removeEventListener('abort', onAbort);
      resolve(aborted);
    };
    const onAbort = () => finish(true);
    if (signal.aborted) return finish(true);
    signal.addEventListener('abort', onAbort, { once: true });

    let sending = false;
    /** Sends everything due by now; false once the schedule is over (finished). */
    const dispatch = (): boolean => {
      sending = true;
      const elapsed = now() - startAt;
      while (next <= elapsed && next < durationMs && count < maxRequests) {
        send(startAt + next);
        count++;
        next = pacer.next();
        if (signal.aborted) {
          sending = false;
          finish(true);
          return false;
        }
      }
      sending = false;
      if (next >= durationMs || count >= maxRequests) {
        finish(false);
        return false;
      }
      return true;
    };
    const pump = () => {
      timer = undefined;
      immediate = undefined;
      if (done || !dispatch()) return;
      const wait = next - (now() - startAt);
      if (!spin) timer = setTimeout(pump, Math.max(0, wait - 0.5));
      else if (wait > SPIN_AHEAD_MS) timer = setTimeout(pump, wait - SPIN_AHEAD_MS);
      else immediate = setImmediate(pump);
    };
    opts.onStart?.(() => {
      if (!done && !sending && next <= now() - startAt) dispatch();
    });
    pump();
  });
}
