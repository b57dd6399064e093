// Closed-loop driver shared by engines that pace themselves: keeps
// `concurrency` requests in flight, starting the next one the moment one
// finishes, until the step's time is up or the abort signal fires.
export interface ClosedLoopOptions {
  /** Requests kept in flight. */
  concurrency: number;
  /** Run-clock time the step started (ms). */
  startAt: number;
  /** Step length (ms): no request starts at or after startAt + durationMs. */
  durationMs: number;
  now: () => number;
  signal: AbortSignal;
  /** Starts one request; it must call done() exactly once when it settles. */
  start: (done: () => void) => void;
  /** Safety cap on requests for this step. */
  maxRequests: number;
}

/** Resolves when the step's time is up (false) or on abort (true); requests still in flight are the caller's to drain. */
export function runClosedLoop(opts: ClosedLoopOptions): Promise<boolean> {
  const { concurrency, startAt, durationMs, now, signal, start, maxRequests } = opts;
  return new Promise((resolve) => {
    let stopped = false;
    let count = 0;
    const finish = (aborted: boolean) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(aborted);
    };
    const onAbort = () => finish(true);
    const timer = setTimeout(() => finish(false), Math.max(0, startAt + durationMs - now()));
    if (signal.aborted) return finish(true);
    signal.addEventListener('abort', onAbort, { once: true });

    const launch = () => {
      if (stopped) return;
      if (now() >= startAt + durationMs) return finish(false);
      if (count >= maxRequests) return finish(false);
      count++;
      let inside = true;
      start(() => {
        // A request that settles synchronously must not recurse: start the next on a later turn.
        if (inside) setImmediate(launch);
        else launch();
      });
      inside = false;
    };
    for (let i = 0; i < concurrency; i++) launch();
  });
}
