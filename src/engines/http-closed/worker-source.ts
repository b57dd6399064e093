// Source of one load worker thread (load.workers > 0), run with
// `new Worker(WORKER_SOURCE, { eval: true })` so it needs no build step and
// no loader. The thread lives for the whole run; for each step it runs
// autocannon on its share of the connections, taps every client like
// tapClient/stopClient in closed-loop-driver.ts, and posts a batch every
// BATCH_MS: the batch's events in the order they happened (1 sent,
// 2 response, 3 failure, 4 abandoned) with the responses' latencies and
// statuses and the failures' codes (transient transfer buffers; the parent
// replays them into its window histograms), when its last request left, and
// the thread's cumulative event-loop utilization.
//
// Messages in: { cmd: 'run', target, connections, maxSeconds }, { cmd: 'stop' }
// (stop sending), { cmd: 'destroy' } (close all connections).
// Messages out: { type: 'ready' } (once, autocannon loaded), { type: 'batch', ... },
// { type: 'closed' } (every connection of the run closed), { type: 'ended' }
// (autocannon finished the run), { type: 'error', message }.
export const EVENT = { sent: 1, response: 2, failure: 3, abandoned: 4 } as const;

export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const autocannon = require(workerData.autocannonPath);
const BATCH_MS = workerData.batchMs;
let current = null;

function startRun(msg) {
  const r = { clients: [], closed: 0, closedPosted: false, events: [], lats: [], statuses: [], codes: [], lastSentAbs: 0 };
  current = r;
  const flush = () => {
    const e = Uint8Array.from(r.events);
    const l = Float64Array.from(r.lats);
    const s = Uint16Array.from(r.statuses);
    parentPort.postMessage({ type: 'batch', events: e, latencies: l, statuses: s, codes: r.codes, lastSentAbs: r.lastSentAbs, elu: performance.eventLoopUtilization() }, [e.buffer, l.buffer, s.buffer]);
    r.events = []; r.lats = []; r.statuses = []; r.codes = [];
  };
  const timer = setInterval(flush, BATCH_MS);
  const tap = (client) => {
    r.clients.push(client);
    let outstanding = 0;
    client.on('request', () => {
      outstanding++;
      r.events.push(1);
      r.lastSentAbs = performance.timeOrigin + performance.now();
    });
    client.on('response', (status, _bytes, ms) => {
      if (outstanding === 0) return;
      outstanding--; r.events.push(2); r.lats.push(ms); r.statuses.push(status);
    });
    client.on('timeout', () => {
      if (outstanding === 0) return;
      outstanding--; r.events.push(3); r.codes.push('TIMEOUT');
    });
    client.on('connError', (err) => {
      const code = (err && err.code) || 'ERROR';
      for (; outstanding > 0; outstanding--) { r.events.push(3); r.codes.push(code); }
      if (client.pipelinedRequests) client.pipelinedRequests.clear();
    });
    client.on('done', () => {
      for (; outstanding > 0; outstanding--) r.events.push(4);
      if (++r.closed >= r.clients.length && !r.closedPosted) {
        r.closedPosted = true;
        flush();
        parentPort.postMessage({ type: 'closed' });
      }
    });
  };
  const t = msg.target;
  r.instance = autocannon({
    url: t.url, method: t.method, headers: t.headers, body: t.body === null ? undefined : t.body,
    connections: msg.connections, pipelining: t.pipelining, timeout: t.timeoutS,
    duration: msg.maxSeconds, sampleInt: BATCH_MS * 5, skipAggregateResult: true,
    setupClient: tap,
  }, (err) => {
    clearInterval(timer);
    flush();
    if (err) parentPort.postMessage({ type: 'error', message: String((err && err.message) || err) });
    parentPort.postMessage({ type: 'ended' });
    if (current === r) current = null;
  });
}

parentPort.on('message', (msg) => {
  if (msg.cmd === 'run') startRun(msg);
  else if (msg.cmd === 'stop' && current) {
    for (const c of current.clients) if (!c.destroyed) c.responseMax = Math.max(1, c.reqsMade);
  } else if (msg.cmd === 'destroy' && current) {
    for (const c of current.clients) c.destroy();
    current.instance.stop();
  }
});
parentPort.postMessage({ type: 'ready' });
`;
