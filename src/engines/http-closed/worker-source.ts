// Source of one load worker thread (load.workers > 0), run with
// `new Worker(WORKER_SOURCE, { eval: true })` so it needs no build step and
// no loader. It runs autocannon on its share of the connections, taps every
// client like tapClient/stopClient in closed-loop-driver.ts, and posts a
// batch of events every BATCH_MS: counts, the batch's latencies and statuses
// (transient transfer buffers; the parent records them into its window
// histograms) and its cumulative event-loop utilization.
//
// Messages in: { cmd: 'stop' } (stop sending), { cmd: 'destroy' } (close all).
// Messages out: { type: 'batch', ... }, { type: 'closed' } (every connection closed),
// { type: 'ended' } (autocannon finished), { type: 'error', message }.
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const autocannon = require(workerData.autocannonPath);
const BATCH_MS = workerData.batchMs;
const t = workerData.target;
const clients = [];
let closed = 0;
let sent = 0;
let lats = [];
let statuses = [];
let failures = {};
let abandoned = 0;
let closedPosted = false;

function flush() {
  if (sent === 0 && lats.length === 0 && abandoned === 0 && Object.keys(failures).length === 0) {
    parentPort.postMessage({ type: 'batch', sent: 0, elu: performance.eventLoopUtilization() });
    return;
  }
  const l = Float64Array.from(lats);
  const s = Uint16Array.from(statuses);
  parentPort.postMessage({ type: 'batch', sent, latencies: l, statuses: s, failures, abandoned, elu: performance.eventLoopUtilization() }, [l.buffer, s.buffer]);
  sent = 0; lats = []; statuses = []; failures = {}; abandoned = 0;
}
const timer = setInterval(flush, BATCH_MS);

function allClosed() {
  if (closedPosted || closed < clients.length) return;
  closedPosted = true;
  flush();
  parentPort.postMessage({ type: 'closed' });
}

function tap(client) {
  clients.push(client);
  let outstanding = 0;
  client.on('request', () => { outstanding++; sent++; });
  client.on('response', (status, _bytes, ms) => {
    if (outstanding === 0) return;
    outstanding--; lats.push(ms); statuses.push(status);
  });
  client.on('timeout', () => {
    if (outstanding === 0) return;
    outstanding--; failures.TIMEOUT = (failures.TIMEOUT || 0) + 1;
  });
  client.on('connError', (err) => {
    const code = (err && err.code) || 'ERROR';
    failures[code] = (failures[code] || 0) + outstanding;
    outstanding = 0;
    if (client.pipelinedRequests) client.pipelinedRequests.clear();
  });
  client.on('done', () => {
    abandoned += outstanding; outstanding = 0;
    closed++;
    allClosed();
  });
}

const instance = autocannon({
  url: t.url, method: t.method, headers: t.headers, body: t.body === null ? undefined : t.body,
  connections: workerData.connections, pipelining: t.pipelining, timeout: t.timeoutS,
  duration: workerData.maxSeconds, sampleInt: BATCH_MS * 5, skipAggregateResult: true,
  setupClient: tap,
}, (err) => {
  clearInterval(timer);
  flush();
  if (err) parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  parentPort.postMessage({ type: 'ended' });
  parentPort.close();
});

parentPort.on('message', (msg) => {
  if (msg.cmd === 'stop') {
    for (const c of clients) if (!c.destroyed) c.responseMax = Math.max(1, c.reqsMade);
  } else if (msg.cmd === 'destroy') {
    for (const c of clients) c.destroy();
    instance.stop();
  }
});
`;
