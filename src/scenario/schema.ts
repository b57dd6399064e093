// The scenario format: the one home of defaults. Every field carries its
// default and unit here; docs/scenario.md is generated from this schema
// (`npm run docs`). Input type (what users write) and output type (fully defaulted) are
// separate: ScenarioInput vs Scenario.
import { z } from 'zod';
import { duration } from './duration.js';
import { runtimeSchema } from '../samplers/schema.js';
import { grpcSchema } from './grpc-schema.js';

const positive = () => z.number().positive();

export const httpSchema = z.strictObject({
  /** HTTP method. Default GET. */
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  /** Path (and query) appended to target.url. Default "/". */
  path: z.string().startsWith('/', { message: 'must start with /' }).default('/'),
  /** Request headers. Values may contain ${env:NAME}, resolved at run time and never written to outputs. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Request body: a string, or an object/array sent as JSON. Default none. */
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]).default(null),
  /** Per-request timeout. Default 10s. */
  timeout: duration.default(10_000),
  /** Responses with these status codes count as success. Default: any status below 400. */
  okStatus: z.array(z.number().int().min(100).max(599)).optional(),
});

export const growthSchema = z.union([
  z.strictObject({ /** Each step is the previous times factor. */ factor: z.number().gt(1, { message: 'must be greater than 1' }) }),
  z.strictObject({ /** Each step is the previous plus step. */ step: positive() }),
], { error: 'must be { factor: <number above 1> } or { step: <positive number> }' });

/** Defaults that depend on load.mode: rate steps are req/s, concurrency steps are connections. */
export const MODE_DEFAULTS = {
  rate: { start: 100, end: 20_000, growth: { factor: 1.5 } },
  concurrency: { start: 1, end: 256, growth: { factor: 2 } },
} as const;

export const loadSchema = z.strictObject({
  /** rate = open loop, requests per second on a fixed schedule; concurrency = closed loop, a number of connections each sending its next request when the last answered. */
  mode: z.enum(['rate', 'concurrency']).default('rate'),
  /** Engine. Default http-open (rate) or http-closed (concurrency) for http(s):// targets, grpc for grpc(s):// targets; k6 runs a local k6 binary (PATH or K6_BINARY), one short k6 run per step. */
  engine: z.enum(['http-open', 'http-closed', 'grpc', 'k6']).optional(),
  /** First (baseline) step: req/s (default 100) or connections (default 1). */
  start: positive().optional(),
  /** Highest step allowed: req/s (default 20000) or connections (default 256). */
  end: positive().optional(),
  /** Ramp growth: { factor: 1.5 } (geometric; default 1.5 for rate, 2 for concurrency) or { step: 500 } (linear). */
  growth: growthSchema.optional(),
  /** Concurrency mode: HTTP/1.1 requests each connection keeps in flight (autocannon pipelining). Default 1. */
  pipelining: z.number().int().min(1).optional(),
  /** Concurrency mode: worker threads that share the connections (0 = the main thread). Default 0. */
  workers: z.number().int().min(0).optional(),
  /** Duration of each ramp step. Default 5s. */
  stepDuration: duration.default(5_000),
  /** Discarded time at the start of the baseline step. Default 3s. */
  warmup: duration.default(3_000),
  /** Windows learned at the baseline load before the ramp starts (>= 20 recommended). Default 20. */
  baselineWindows: z.number().int().min(5).default(20),
  /** Pause between steps to let the target drain, after in-flight requests finished. Default 500ms. */
  drain: duration.default(500),
  /** With runtime signals, also wait (at most this long) until they are back under their thresholds before the next step. Default 10s. */
  drainTimeout: duration.default(10_000),
  /** Send schedule: uniform spacing (default) or poisson arrivals. */
  arrival: z.enum(['uniform', 'poisson']).default('uniform'),
  /** Rate mode: how the pacing loop waits for the next send. timer (default) sleeps on Node timers (send lag up to ~1-2 ms from their millisecond clock, no idle CPU); spin polls the event loop for the last 3 ms before each send (sub-millisecond send lag, one busy core while a step runs). */
  pacing: z.enum(['timer', 'spin']).default('timer'),
  /** Bisection after the first breach. */
  refine: z
    .strictObject({
      /** Stop bisecting when (firstBreach - lastPass) / lastPass <= resolution. Default 0.05. 0 disables refinement. */
      resolution: z.number().min(0).max(1).default(0.05),
      /** Duration of each refinement step. Default: stepDuration. */
      stepDuration: duration.optional(),
      /** Most refinement steps. Default 6. */
      maxSteps: z.number().int().min(0).default(6),
    })
    .default({ resolution: 0.05, maxSteps: 6 }),
  /** Hard cap on the whole run's wall time. Default 10m. */
  maxDuration: duration.default(600_000),
  /** Hard cap on any step's rate, req/s. Default: end. */
  maxRate: positive().optional(),
  /** Most requests in flight; at the cap, scheduled requests are not sent and count as 'in-flight-cap' errors against the target. Default 1000. */
  maxInFlight: z.number().int().positive().default(1000),
  /** Hard cap on requests sent over the whole run. Default 10,000,000. */
  maxRequests: z.number().int().positive().default(10_000_000),
  /** Seed for the poisson schedule. Default 1. */
  seed: z.number().int().default(1),
}).transform((l) => {
  const d = MODE_DEFAULTS[l.mode];
  return { ...l, start: l.start ?? d.start, end: l.end ?? d.end, growth: l.growth ?? { ...d.growth } };
});

export const detectSchema = z.strictObject({
  /** Measurement window. Default 1s. */
  window: duration.default(1_000),
  /** Windows with fewer responses are extended until they have this many (p99 of few requests is noise). Default 200. */
  minRequests: z.number().int().min(1).default(200),
  /** Robust threshold: median + k x sigma. Default 3. */
  k: z.number().positive().default(3),
  /** Consecutive breaching windows that confirm a breach. Default 2. */
  confirm: z.number().int().min(1).default(2),
  /** A coarse-ramp breach on p99 alone is repeated once (after the drain) before the search narrows below it: a breach that does not come back was a passing burst of noise (the machine, a GC pause), and the ramp goes on. Default true. */
  recheck: z.boolean().default(true),
  p99: z
    .strictObject({
      /** Practical floor: p99 >= minRatio x baseline median p99. Default 2. */
      minRatio: z.number().min(1).default(2),
      /** Floor of sigma on log p99. Default 0.02. */
      sigmaFloor: z.number().min(0).default(0.02),
      enabled: z.boolean().default(true),
    })
    .default({ minRatio: 2, sigmaFloor: 0.02, enabled: true }),
  errors: z
    .strictObject({
      /** Practical floor: error rate > maxRate. Default 0.01 (1%). */
      maxRate: z.number().min(0).max(1).default(0.01),
      enabled: z.boolean().default(true),
    })
    .default({ maxRate: 0.01, enabled: true }),
  throughput: z
    .strictObject({
      /** Practical floor: achieved rate < minRatio x offered. Default 0.95. */
      minRatio: z.number().min(0).max(1).default(0.95),
      enabled: z.boolean().default(true),
    })
    .default({ minRatio: 0.95, enabled: true }),
  generator: z
    .strictObject({
      /** The generator fell behind when send-lag p99 exceeds this. Default 5ms. */
      maxSendLag: duration.default(5),
      /** ... or when it sent less than this fraction of the schedule while below the in-flight cap. Default 0.98. */
      minSendRatio: z.number().min(0).max(1).default(0.98),
      /** Concurrency mode: ... or when its event loop was busy more than this fraction of a window (responses then wait in the client). Default 0.9. */
      maxBusy: z.number().gt(0).max(1).default(0.9),
      /** A step where the generator fell behind is repeated (after the drain) this many times before the run stops generator-limited: a busy machine's hiccup is not the generator's limit. Default 1; 0 stops at once. */
      retries: z.number().int().min(0).max(3).default(1),
    })
    .default({ maxSendLag: 5, minSendRatio: 0.98, maxBusy: 0.9, retries: 1 }),
  plateau: z
    .strictObject({
      /** Concurrency mode: a step breaches when its throughput is not above the last passing step's by minGain while its mean latency grows. Default 0.05. */
      minGain: z.number().min(0).max(1).default(0.05),
      /** ... nor by this share of the ideal gain (connections ratio - 1), when larger: 0.5 = throughput grew less than half as fast as the connections. Default 0.5; 0 leaves the plain minGain rule. */
      minEfficiency: z.number().min(0).max(1).default(0.5),
      enabled: z.boolean().default(true),
    })
    .default({ minGain: 0.05, minEfficiency: 0.5, enabled: true }),
});

export const reportSchema = z.strictObject({
  /** Folder for run folders (<dir>/<name>/<UTC timestamp>/). Default results. */
  dir: z.string().min(1).default('results'),
  /** Files to write. json = summary.json; csv = windows.csv, steps.csv, runtime.csv; html = report.html (offline, charts); md = summary.md. Default [json, csv, html, md]. */
  formats: z.array(z.enum(['json', 'csv', 'html', 'md'])).min(1).default(['json', 'csv', 'html', 'md']),
});

export const scenarioSchema = z.strictObject({
  /** Run name, used for the results folder. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, { message: 'must use only letters, digits, ".", "_" and "-"' }),
  target: z.strictObject({
    /** Base URL of the service: http:// or https://, or grpc:// / grpcs:// (host:port) for a gRPC service. */
    url: z.url({ protocol: /^(https?|grpcs?)$/, error: 'must be an http://, https://, grpc:// or grpcs:// URL' }),
  }),
  http: httpSchema.default({ method: 'GET', path: '/', headers: {}, body: null, timeout: 10_000 }),
  /** gRPC call: proto, service, method, request (grpc:// and grpcs:// targets). */
  grpc: grpcSchema.optional(),
  load: loadSchema.default(() => loadSchema.parse({})),
  detect: detectSchema.default(() => detectSchema.parse({})),
  /** Runtime endpoints of the target sampled next to the load; each is a stop signal too. Default none. */
  runtime: runtimeSchema.optional(),
  report: reportSchema.default({ dir: 'results', formats: ['json', 'csv', 'html', 'md'] }),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
