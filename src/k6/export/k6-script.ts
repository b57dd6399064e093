// Renders the k6 script: a `ramping-arrival-rate` scenario whose stages are
// critpoint's plan, one request per iteration, and per-step tags
// (critpoint_step, critpoint_load) on every request so each point maps back to
// its step. Every user value enters the script JSON-quoted; secrets only as
// env("NAME") calls. The k6 engine runs scripts from this same renderer.
import { formatDuration } from '../../scenario/duration.js';
import { k6Duration, type K6Plan } from './k6-plan.js';
import type { K6GrpcRequest, K6HttpRequest, K6Mix, K6Request } from './k6-request.js';
import { LOAD_TAG, REQUEST_TAG, STEP_TAG } from '../k6-events.js';
import { PICK_SALT } from '../../requests/hash.js';

export interface ScriptOptions {
  plan: K6Plan;
  request: K6Request;
  maxVUs: number;
  preAllocatedVUs: number;
  /** Time in-flight iterations get after the last stage. */
  gracefulStopMs: number;
  /** Safety stop: abort (k6 exit 99) once this fraction of all requests failed, cumulative. 0 = none. */
  abortErrorRate: number;
  /** The k6 engine's step budget (Step.maxRequests): iterations past it send nothing. Absent in exports. */
  maxRequests?: number;
  /** A mix: the run's sends before this script's first iteration (the k6 engine runs one script per step). Default 0. */
  iterationBase?: number;
  /** Comment lines at the top. */
  header: string[];
}

const q = (v: unknown) => JSON.stringify(v);

function objectLiteral(entries: Record<string, string>, indent: string): string {
  const keys = Object.keys(entries);
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${indent}  ${q(k)}: ${entries[k]},`).join('\n')}\n${indent}}`;
}

function stepsTable(plan: K6Plan): string {
  return plan.steps.map((s) => `  [${s.index}, ${q(s.phase)}, ${s.load}, ${s.startMs}, ${s.endMs}],`).join('\n');
}

function thresholds(o: ScriptOptions): string {
  if (!(o.abortErrorRate > 0)) return '';
  const rule = (metric: string, expr: string) =>
    `  thresholds: {\n    // Safety stop, not critpoint's detector: k6 aborts (exit 99) once this share of all requests failed.\n    ${metric}: [{ threshold: ${q(expr)}, abortOnFail: true, delayAbortEval: '10s' }],\n  },\n`;
  return o.request.protocol === 'http' ? rule('http_req_failed', `rate<${o.abortErrorRate}`) : rule('checks', `rate>${1 - o.abortErrorRate}`);
}

interface Parts {
  imports: string;
  init: string;
  /** Lines that pick what the iteration sends and define PARAMS (a mix); '' when PARAMS is the module's. */
  select?: string;
  call: string;
}

/**
 * The seeded weighted pick of src/requests/hash.ts (WeightedPicker over hash32), in the script's
 * JavaScript: send i carries the same request in k6 as in critpoint's own engines for the same seed.
 * Thresholds are computed here as WeightedPicker computes them; the unit tests evaluate this code
 * against WeightedPicker.
 */
export function pickSource(weights: readonly number[], seed: number): string {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cum = weights.map((w, k) => {
    acc += w;
    return k === weights.length - 1 ? 4294967296 : Math.floor((acc / total) * 4294967296);
  });
  return [
    `// The seeded weighted pick (critpoint's src/requests/hash.ts): a hash of (seed, i) against cumulative thresholds.`,
    `const PICK_SEED = ${seed};`,
    `const PICK_CUMULATIVE = [${cum.join(', ')}];`,
    `function fmix32(h) {`,
    `  h ^= h >>> 16;`,
    `  h = Math.imul(h, 0x85ebca6b);`,
    `  h ^= h >>> 13;`,
    `  h = Math.imul(h, 0xc2b2ae35);`,
    `  h ^= h >>> 16;`,
    `  return h >>> 0;`,
    `}`,
    `function hash32(seed, i, salt) {`,
    `  const lo = i >>> 0;`,
    `  const hi = i > 0xffffffff ? Math.floor(i / 4294967296) >>> 0 : 0;`,
    `  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);`,
    `  h = fmix32((h ^ Math.imul(lo, 0xcc9e2d51)) >>> 0);`,
    `  h = fmix32((h ^ Math.imul(hi + 0x27d4eb2f, 0x1b873593)) >>> 0);`,
    `  return fmix32((h ^ Math.imul(salt + 1, 0x165667b1)) >>> 0);`,
    `}`,
    `function pick(i) {`,
    `  if (PICK_CUMULATIVE.length === 1) return 0;`,
    `  const h = hash32(PICK_SEED, i, ${PICK_SALT});`,
    `  for (let k = 0; k < PICK_CUMULATIVE.length - 1; k++) if (h < PICK_CUMULATIVE[k]) return k;`,
    `  return PICK_CUMULATIVE.length - 1;`,
    `}`,
  ].join('\n');
}

function mixParts(r: K6HttpRequest, mix: K6Mix, o: ScriptOptions): Parts {
  const ok = r.okStatus ? r.okStatus.join(', ') : '{ min: 100, max: 399 }';
  const entry = (e: K6Mix['entries'][number]) =>
    [
      `  {`,
      `    method: ${q(e.method)},`,
      `    url: TARGET + ${e.path},`,
      `    body: ${e.body ?? 'null'},`,
      `    params: {`,
      `      headers: ${objectLiteral(e.headers, '      ')},`,
      `      timeout: ${q(k6Duration(r.timeoutMs))},`,
      `      tags: { ${REQUEST_TAG}: ${q(e.name)} },`,
      ...(e.okStatus ? [`      responseCallback: http.expectedStatuses(${e.okStatus.join(', ')}),`] : []),
      `    },`,
      `  },`,
    ].join('\n');
  return {
    imports: `import http from 'k6/http';\n`,
    init: [
      `const TARGET = __ENV.CRITPOINT_TARGET || ${q(r.target)};`,
      `// The scenario's requests (${mix.entries.map((e) => `${e.name} weight ${e.weight}`).join(', ')}); each is tagged ${REQUEST_TAG} with its name.`,
      `const REQUESTS = [`,
      ...mix.entries.map(entry),
      `];`,
      `// Send i = the run's sends before this script + k6's iteration number across all instances.`,
      `const ITERATION_BASE = ${o.iterationBase ?? 0};`,
      pickSource(
        mix.entries.map((e) => e.weight),
        mix.seed,
      ),
      `// Which statuses count as success (http_req_failed); critpoint's analysis reads the status tag.`,
      `http.setResponseCallback(http.expectedStatuses(${ok}));`,
    ].join('\n'),
    select: `  const req = REQUESTS[pick(ITERATION_BASE + exec.scenario.iterationInTest)];\n  const PARAMS = req.params;\n`,
    call: `  http.request(req.method, req.url, req.body, PARAMS);`,
  };
}

function httpParts(r: K6HttpRequest, o: ScriptOptions): Parts {
  if (r.mix) return mixParts(r, r.mix, o);
  const ok = r.okStatus ? r.okStatus.join(', ') : '{ min: 100, max: 399 }';
  return {
    imports: `import http from 'k6/http';\n`,
    init: [
      `const TARGET = __ENV.CRITPOINT_TARGET || ${q(r.target)};`,
      `const URL = TARGET + ${r.pathExpr};`,
      `const BODY = ${r.body ?? 'null'};`,
      `const PARAMS = {`,
      `  headers: ${objectLiteral(r.headers, '  ')},`,
      `  timeout: ${q(k6Duration(r.timeoutMs))},`,
      `  tags: {},`,
      `};`,
      `// Which statuses count as success (http_req_failed); critpoint's analysis reads the status tag.`,
      `http.setResponseCallback(http.expectedStatuses(${ok}));`,
    ].join('\n'),
    call: `  http.request(${q(r.method)}, URL, BODY, PARAMS);`,
  };
}

function grpcParts(r: K6GrpcRequest): Parts {
  return {
    imports: `import grpc from 'k6/net/grpc';\nimport { check } from 'k6';\n`,
    init: [
      `const TARGET = __ENV.CRITPOINT_TARGET || ${q(r.target)};`,
      `const client = new grpc.Client();`,
      // Without a proto file, k6 loads the description by server reflection when it connects.
      ...(r.proto === undefined ? [] : [`client.load(${q(r.includeDirs)}, ${q(r.proto)});`]),
      `const METHOD = ${q(r.method)};`,
      `const REQUEST = ${q(r.request)};`,
      `const PARAMS = {`,
      `  metadata: ${objectLiteral(r.metadata, '  ')},`,
      `  timeout: ${q(k6Duration(r.timeoutMs))},`,
      `  tags: {},`,
      `};`,
      `let connected = false;`,
    ].join('\n'),
    call: [
      `  if (!connected) {`,
      `    client.connect(TARGET, { plaintext: ${r.plaintext}${r.proto === undefined ? ', reflect: true' : ''} });`,
      `    connected = true;`,
      `  }`,
      `  const res = client.invoke(METHOD, REQUEST, PARAMS);`,
      `  check(res, { 'status is OK': (x) => x && x.status === grpc.StatusOK });`,
    ].join('\n'),
  };
}

export function renderK6Script(o: ScriptOptions): string {
  const { plan } = o;
  const parts = o.request.protocol === 'http' ? httpParts(o.request, o) : grpcParts(o.request);
  const stages = plan.stages.map((st) => `        { target: ${st.target}, duration: ${q(st.duration)} },`).join('\n');
  const perUnit = plan.timeUnit === '1s' ? 'req/s' : 'requests per minute';
  return `${o.header.map((l) => `// ${l}`.trimEnd()).join('\n')}
${parts.imports}import exec from 'k6/execution';

// Secrets come from the environment, never from this file.
function env(name) {
  const v = __ENV[name];
  if (v === undefined || v === '') throw new Error('environment variable ' + name + ' is not set');
  return v;
}

// critpoint's plan: [step, phase, offered load in req/s, start ms, end ms] on the scenario's clock.
const STEPS = [
${stepsTable(plan)}
];

${parts.init}

export const options = {
  discardResponseBodies: true,
  scenarios: {
    critpoint: {
      executor: 'ramping-arrival-rate',
      // Rates are ${perUnit}; a 0s stage jumps to the next step, a rate-0 stage is the drain between steps.
      startRate: ${plan.startRate},
      timeUnit: ${q(plan.timeUnit)},
      preAllocatedVUs: ${o.preAllocatedVUs},
      maxVUs: ${o.maxVUs},
      gracefulStop: ${q(k6Duration(o.gracefulStopMs))},
      stages: [
${stages}
      ],
    },
  },
${thresholds(o)}};

// The step an iteration belongs to: the last one started (a drain belongs to the step before it).
function stepAt(elapsedMs) {
  let found = STEPS[0];
  for (const s of STEPS) {
    if (s[3] > elapsedMs) break;
    found = s;
  }
  return found;
}

export default function () {
${
  o.maxRequests !== undefined && Number.isFinite(o.maxRequests)
    ? `  // critpoint's budget for this run: iterations past it send nothing.
  if (exec.scenario.iterationInTest >= ${o.maxRequests}) return;
`
    : ''
}  const step = stepAt(Date.now() - exec.scenario.startTime);
${parts.select ?? ''}  PARAMS.tags.${STEP_TAG} = String(step[0]);
  PARAMS.tags.${LOAD_TAG} = String(step[2]);
${parts.call}
}
`;
}

/** One line per step for the script's header and logs. */
export function planSummary(plan: K6Plan): string[] {
  return plan.steps.map(
    (s) =>
      `step ${s.index} ${s.phase}: ${s.load} req/s for ${formatDuration(s.warmupMs + s.durationMs)}${s.warmupMs ? ` (warm-up ${formatDuration(s.warmupMs)})` : ''}, from ${formatDuration(s.startMs)}`,
  );
}
