// Cross-field rules on a fully defaulted scenario. Each problem is
// `<dot.path>: <what is wrong>, got <value>`; all of them are returned at once.
import type { Scenario } from './schema.js';
import { summarizePlan } from '../load/ramp-plan.js';
import { formatDuration } from './duration.js';
import { missingEnvRefs } from './secrets.js';
import { renderGot } from './format-issues.js';
import { checkGrpcRules } from './grpc-rules.js';
import { isGrpcUrl } from './grpc-schema.js';
import { tlsProblems } from './tls-schema.js';
import { k6Refusals } from '../k6/export/k6-limits.js';
import { checkRequestRules } from '../requests/rules.js';

export interface RuleOptions {
  /** Check that every ${env:NAME} is set (true for run, false for validate). */
  env?: NodeJS.ProcessEnv;
}

export function checkRules(s: Scenario, opts: RuleOptions = {}): string[] {
  const problems: string[] = [];
  const { load, detect } = s;
  const closed = load.mode === 'concurrency';
  const maxRate = load.maxRate ?? load.end;

  if (load.end < load.start) problems.push(`load.end: must be at least load.start (${load.start}), got ${load.end}`);
  if (!closed && load.end > maxRate) problems.push(`load.end: exceeds the cap load.maxRate (${maxRate}), got ${load.end}`);
  problems.push(...modeProblems(s));
  if (load.engine === 'k6') problems.push(...k6Refusals(s));
  if (load.stepDuration < detect.window * detect.confirm) {
    problems.push(
      `load.stepDuration: must hold at least detect.confirm (${detect.confirm}) windows of detect.window (${formatDuration(detect.window)}), got ${formatDuration(load.stepDuration)}`,
    );
  }
  const perStep = (load.start * load.stepDuration) / 1000;
  if (!closed && perStep < detect.confirm * detect.minRequests) {
    problems.push(
      `load.stepDuration: at load.start (${load.start} req/s) a step sends ${Math.round(perStep)} requests, fewer than detect.confirm x detect.minRequests (${detect.confirm * detect.minRequests}); raise load.start or load.stepDuration, got ${formatDuration(load.stepDuration)}`,
    );
  }
  if (load.refine.stepDuration !== undefined && load.refine.stepDuration < detect.window * detect.confirm) {
    problems.push(
      `load.refine.stepDuration: must hold at least detect.confirm (${detect.confirm}) windows of detect.window, got ${formatDuration(load.refine.stepDuration)}`,
    );
  }

  if (load.end >= load.start) {
    const plan = summarizePlan(s);
    if (plan.coarseMs > load.maxDuration) {
      problems.push(
        `load.maxDuration: the plan needs at least ${formatDuration(plan.coarseMs)} (baseline ${formatDuration(plan.baselineMs)} + ${plan.rampLoads.length} steps of ${formatDuration(load.stepDuration)} + drains) before refinement, got ${formatDuration(load.maxDuration)}`,
      );
    }
    if (plan.coarseRequests !== null && plan.coarseRequests > load.maxRequests) {
      problems.push(`load.maxRequests: the plan would send up to ${plan.coarseRequests} requests, got ${load.maxRequests}`);
    }
  }

  if (s.http.body !== null && (s.http.method === 'GET' || s.http.method === 'HEAD')) {
    problems.push(`http.body: a ${s.http.method} request cannot carry a body, got ${renderGot(s.http.body)}`);
  }

  problems.push(...httpVersionProblems(s), ...checkGrpcRules(s, opts));
  problems.push(...judgedRequestProblems(s), ...checkProblems(s));
  problems.push(...checkRequestRules(s, opts));

  if (opts.env) {
    for (const ref of missingEnvRefs({ http: { headers: s.http.headers }, target: s.target }, opts.env)) {
      problems.push(`${ref.path}: environment variable ${ref.name} is not set, got ${renderGot(ref.value)}`);
    }
  }
  return problems;
}

/** http.check says what to check, and runs where a body is read: the open-loop HTTP engine. */
function checkProblems(s: Scenario): string[] {
  const c = s.http.check;
  if (c === undefined) return [];
  const out: string[] = [];
  if (c.contains === undefined && c.json === undefined)
    out.push(`http.check: needs contains (a text the body holds) or json with equals (a field's value), got ${renderGot(c)}`);
  if (c.json !== undefined && c.equals === undefined) out.push(`http.check.equals: the value http.check.json (${c.json}) must hold is missing, got nothing`);
  if (c.json === undefined && c.equals !== undefined) out.push(`http.check.json: the field http.check.equals is compared with is missing, got nothing`);
  const engine = s.load.engine ?? (isGrpcUrl(s.target.url) ? 'grpc' : s.load.mode === 'concurrency' ? 'http-closed' : 'http-open');
  if (engine !== 'http-open') out.push(`http.check: runs on the open-loop HTTP engine (load.mode rate, an http(s) target), got engine ${engine}`);
  return out;
}

/** Names of the scenario's requests (its requests: list; none without one). */
export function requestNamesOf(s: Scenario): string[] {
  return s.requests ? s.requests.map((r) => r.name) : [];
}

/** detect.p99.request names one of the scenario's requests, and the response's p99 (a stream's first message is not broken down per request). */
function judgedRequestProblems(s: Scenario): string[] {
  const request = s.detect.p99.request;
  if (request === undefined) return [];
  const names = requestNamesOf(s);
  const got = renderGot(request);
  if (!names.includes(request))
    return [
      `detect.p99.request: no request named ${got} (${names.length ? `requests: ${names.join(', ')}` : 'the scenario has no requests: list'}), got ${got}`,
    ];
  if (s.grpc?.stopLatency === 'first-message')
    return [
      `detect.p99.request: judges a request's response p99; grpc.stopLatency first-message is judged on all requests (time to the first message is not broken down per request), got ${got}`,
    ];
  return [];
}

/** Fields that belong to one load.mode only, and what a closed loop needs. */
function modeProblems(s: Scenario): string[] {
  const { load, http } = s;
  const out: string[] = [];
  if (load.mode === 'concurrency') {
    for (const key of ['start', 'end'] as const) {
      if (!Number.isInteger(load[key])) out.push(`load.${key}: must be a whole number of connections in load.mode concurrency, got ${load[key]}`);
    }
    // k6 says why itself (k6Refusals), in the words export k6 uses too.
    if (load.engine !== undefined && load.engine !== 'http-closed' && load.engine !== 'grpc' && load.engine !== 'k6')
      out.push(`load.engine: load.mode concurrency runs on http-closed (HTTP) or grpc, got ${renderGot(load.engine)}`);
    if (load.maxRate !== undefined) out.push(`load.maxRate: applies to load.mode rate only (concurrency steps are connections), got ${load.maxRate}`);
    if (load.arrival !== 'uniform')
      out.push(`load.arrival: applies to load.mode rate only (a closed loop sends when the last response arrived), got ${renderGot(load.arrival)}`);
    if (load.pacing !== 'timer')
      out.push(`load.pacing: applies to load.mode rate only (a closed loop sends when the last response arrived), got ${renderGot(load.pacing)}`);
    const inFlight = load.end * (load.pipelining ?? 1);
    if (inFlight > load.maxInFlight)
      out.push(
        `load.end: ${load.end} connections x load.pipelining ${load.pipelining ?? 1} keep ${inFlight} requests in flight, above load.maxInFlight (${load.maxInFlight}), got ${load.end}`,
      );
    if (http.timeout < 1000)
      out.push(`http.timeout: must be at least 1s in load.mode concurrency (autocannon's timeout is in seconds), got ${formatDuration(http.timeout)}`);
  } else {
    if (load.engine === 'http-closed') out.push(`load.engine: http-closed runs load.mode concurrency only, got ${renderGot(load.engine)}`);
    if (load.pipelining !== undefined) out.push(`load.pipelining: applies to load.mode concurrency only, got ${load.pipelining}`);
  }
  return out;
}

/** http.version, http.streams and http.tls: what each needs from the URL and the load mode. */
function httpVersionProblems(s: Scenario): string[] {
  const { http, load } = s;
  const out: string[] = [];
  let protocol = '';
  try {
    protocol = new URL(s.target.url).protocol;
  } catch {
    return out;
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    for (const key of ['streams', 'tls'] as const)
      if (http[key] !== undefined) out.push(`http.${key}: applies to http:// and https:// targets only, got ${renderGot(http[key])}`);
    if (http.version !== '1.1') out.push(`http.version: applies to http:// and https:// targets only, got ${http.version}`);
    return out;
  }
  const engine = load.engine ?? (load.mode === 'concurrency' ? 'http-closed' : 'http-open');
  if (http.version === '2' && engine !== 'http-open')
    out.push(
      `http.version: HTTP/2 runs on the http-open engine (load.mode rate); ${engine === 'http-closed' ? 'load.mode concurrency uses autocannon, which speaks HTTP/1.1 only' : `load.engine ${engine} does not send it`}, got 2`,
    );
  if (http.streams !== undefined && http.version !== '2') out.push(`http.streams: applies to http.version 2 only, got ${http.streams}`);
  if (http.tls) {
    if (protocol !== 'https:') out.push(`http.tls: only used with an https:// target.url, got ${renderGot(http.tls)}`);
    // autocannon connects with rejectUnauthorized: false whatever it is given: it would never check the certificate.
    else if (engine !== 'http-open') out.push(`http.tls: applies to the http-open engine (load.mode rate) only, got ${renderGot(http.tls)}`);
    out.push(...tlsProblems(http.tls, 'http.tls'));
  }
  return out;
}
