// Closed loop on the main thread: one autocannon instance per step with
// connections = the step's load. Its clients are reached through
// setupClient, so critpoint sees every request and response as it happens
// (autocannon's 'tick' carries no latency) and can stop them at once rather
// than at autocannon's next sample tick.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { InFlightTracker } from '../in-flight-tracker.js';
import {
  RequestBudget,
  stopClient,
  tapClient,
  type AutocannonClient,
  type ClientFeed,
  type ClientTap,
  type ClosedLoopDriver,
  type ClosedLoopSink,
  type ClosedLoopTarget,
} from './closed-loop-driver.js';

/** autocannon ends a finished instance at its next sample tick; keep that short. */
const SAMPLE_MS = 50;

export interface DriverRun {
  target: ClosedLoopTarget;
  connections: number;
  /** Longest the instance may run on its own (a safety net; the engine ends steps itself). */
  maxSeconds: number;
  /** Most requests the run may send (the step's budget): honoured exactly, over all connections. */
  maxRequests: number;
}

/** A main-thread run: a request mix's feed when the scenario has one (worker threads build their own). */
export interface MainThreadRun extends DriverRun {
  feed?: ClientFeed;
}

export function elapsedUtilization(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const d = performance.eventLoopUtilization(now, last);
    last = now;
    return d.utilization;
  };
}

export function startMainThreadDriver(run: MainThreadRun, sink: ClosedLoopSink, onError: (message: string) => void): ClosedLoopDriver {
  const clients: AutocannonClient[] = [];
  const taps = new Map<unknown, ClientTap>();
  /** Clients (connections) not yet closed. */
  const open = new InFlightTracker();
  let ended = false;
  let onEnded: (() => void) | undefined;
  const { target } = run;
  const budget = new RequestBudget(run.maxRequests);
  const instance = autocannon(
    {
      url: target.url,
      method: target.method as autocannon.Request['method'],
      headers: target.headers,
      body: target.body ?? undefined,
      connections: run.connections,
      pipelining: target.pipelining,
      timeout: target.timeoutS,
      duration: run.maxSeconds,
      sampleInt: SAMPLE_MS,
      skipAggregateResult: true,
      setupClient: (c) => {
        const client = c as unknown as AutocannonClient;
        clients.push(client);
        open.add();
        budget.add(client);
        taps.set(c, tapClient(client, sink, false, run.feed));
        client.on('done', () => open.done());
      },
    },
    (err: unknown) => {
      if (err) onError(err instanceof Error ? err.message : String(err));
      ended = true;
      onEnded?.();
    },
  );
  // Responses come through the instance's event (one listener) rather than a second listener on every client.
  instance.on('response', (client: unknown, status: number, _bytes: number, ms: number) => taps.get(client)?.response(status, ms));
  const busy = elapsedUtilization();

  const driver: ClosedLoopDriver = {
    stopSending() {
      for (const c of clients) stopClient(c);
    },
    async drained(timeoutMs) {
      await open.drain(timeoutMs);
    },
    async destroy() {
      for (const c of clients) c.destroy();
      instance.stop();
      if (ended) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SAMPLE_MS * 20);
        onEnded = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    busy,
  };
  return driver;
}
