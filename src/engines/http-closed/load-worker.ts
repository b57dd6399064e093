// One closed-loop load worker thread (load.workers > 0), started by
// worker-driver.ts through threads/module-worker.ts. The thread lives for
// the whole run; for each step it runs autocannon on its share of the
// connections and of the step's budget, taps every client with the same
// tapClient/stopClient/RequestBudget as the main-thread driver, and posts a
// batch every batchMs: the events in the order they happened with the
// responses' latencies and statuses and the failures' codes (transferred
// buffers; the engine replays them into its window histograms), when its last
// request left, and the thread's event-loop utilization.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { RequestBudget, stopClient, tapClient, type AutocannonClient, type ClosedLoopSink } from './closed-loop-driver.js';
import { EVENT, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';
import { RequestFeed } from './request-feed.js';

const port = parentPort;
if (!port) throw new Error('load-worker.ts runs only as a worker thread');
const { batchMs, requests, counter } = workerData as WorkerInit;
// One feed for the thread's whole life: its numbers come from the run-wide counter.
const feed = requests && counter ? new RequestFeed(requests, counter) : undefined;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

interface Run {
  clients: AutocannonClient[];
  instance: autocannon.Instance | null;
}
let current: Run | null = null;

function startRun(msg: Extract<ToWorker, { cmd: 'run' }>): void {
  const run: Run = { clients: [], instance: null };
  current = run;
  let events: number[] = [];
  let latencies: number[] = [];
  let statuses: number[] = [];
  let codes: string[] = [];
  let reqs: number[] = [];
  let lastSentAbs = 0;
  let closed = 0;
  let closedPosted = false;
  const flush = () => {
    const e = Uint8Array.from(events);
    const l = Float64Array.from(latencies);
    const s = Uint16Array.from(statuses);
    const q = Uint16Array.from(reqs);
    post({ type: 'batch', events: e, latencies: l, statuses: s, codes, reqs: q, lastSentAbs, elu: performance.eventLoopUtilization() }, [
      e.buffer,
      l.buffer,
      s.buffer,
      q.buffer,
    ]);
    events = [];
    latencies = [];
    statuses = [];
    codes = [];
    reqs = [];
  };
  const sink: ClosedLoopSink = {
    sent(_ago, req) {
      events.push(EVENT.sent);
      if (feed) reqs.push(req);
      lastSentAbs = performance.timeOrigin + performance.now();
    },
    response(status, ms, req) {
      events.push(EVENT.response);
      if (feed) reqs.push(req);
      latencies.push(ms);
      statuses.push(status);
    },
    failed(code, req) {
      events.push(EVENT.failure);
      if (feed) reqs.push(req);
      codes.push(code);
    },
    abandoned(n) {
      for (let i = 0; i < n; i++) events.push(EVENT.abandoned);
    },
  };
  const budget = new RequestBudget(msg.maxRequests);
  const timer = setInterval(flush, batchMs);
  const { target } = msg;
  run.instance = autocannon(
    {
      url: target.url,
      method: target.method as autocannon.Request['method'],
      headers: target.headers,
      body: target.body ?? undefined,
      connections: msg.connections,
      pipelining: target.pipelining,
      timeout: target.timeoutS,
      duration: msg.maxSeconds,
      sampleInt: batchMs * 5,
      skipAggregateResult: true,
      setupClient: (c) => {
        const client = c as unknown as AutocannonClient;
        run.clients.push(client);
        budget.add(client);
        tapClient(client, sink, true, feed);
        client.on('done', () => {
          if (++closed >= run.clients.length && !closedPosted) {
            closedPosted = true;
            flush();
            post({ type: 'closed' });
          }
        });
      },
    },
    (err: unknown) => {
      clearInterval(timer);
      flush();
      if (err) post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      post({ type: 'ended' });
      if (current === run) current = null;
    },
  );
}

port.on('message', (msg: ToWorker) => {
  if (msg.cmd === 'run') startRun(msg);
  else if (msg.cmd === 'stop' && current) for (const c of current.clients) stopClient(c);
  else if (msg.cmd === 'destroy' && current) {
    for (const c of current.clients) c.destroy();
    current.instance?.stop();
  }
});
post({ type: 'ready' });
