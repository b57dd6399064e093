// The scenario format: the one home of defaults, descriptions and units. Each
// field's words are zod metadata (`.meta({ description, unit })`), so the JSON
// Schema `critpoint schema` prints (editor hover help) and docs/scenario.md
// (generated from it, `npm run docs`) say what the code does. Defaults of durations are
// written as users write them (`.prefault('10s')`) so the JSON Schema can show
// them; mode-dependent defaults are filled in by the transform on `load` and
// named in the descriptions. Input type (what users write) and output type
// (fully defaulted) are separate: ScenarioInput vs Scenario.
import { z } from 'zod';
import { duration } from './duration.js';
import { runtimeSchema } from '../samplers/schema.js';
import { grpcSchema } from './grpc-schema.js';
import { tlsSchema } from './tls-schema.js';
import { dataSchema } from './data-schema.js';

/** Units named in the JSON Schema's `unit` keyword. */
export const UNIT = {
  duration: 'duration',
  load: 'req/s (rate) or connections (concurrency)',
  rate: 'req/s',
  ratio: 'ratio',
  requests: 'requests',
  windows: 'windows',
  steps: 'steps',
  connections: 'connections',
  threads: 'threads',
  sigma: 'robust sigmas',
  status: 'HTTP status code',
  none: 'none',
} as const;

const positive = () => z.number().positive();

export const httpSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET').meta({ description: 'HTTP method of every request.' }),
  path: z.string().startsWith('/', { message: 'must start with /' }).default('/').meta({ description: 'Path (and query) appended to target.url.' }),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .meta({ description: 'Request headers. Values may contain ${env:NAME}, resolved at run time and never written to outputs.' }),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()])
    .default(null)
    .meta({
      description:
        'Request body: a string sent as it is, or an object/array sent as JSON (content-type application/json unless headers name one). Not with GET or HEAD.',
    }),
  timeout: duration.prefault('10s').meta({ description: 'Per-request timeout; a timeout counts as an error.', unit: UNIT.duration }),
  okStatus: z.array(z.number().int().min(100).max(599)).optional().meta({
    description: 'The expected statuses: responses with these status codes count as success. Default: any status below 400.',
    unit: UNIT.status,
  }),
  check: z
    .strictObject({
      every: z.number().int().min(1).default(100).meta({
        description: 'Check one response in this many (1 = every response): only the checked responses have their body read.',
        unit: UNIT.requests,
      }),
      contains: z.string().min(1).optional().meta({ description: 'The body must contain this text. Default: none.' }),
      json: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'Dot path of a field of a JSON body ("data.status", "items.0.id"); its value must equal check.equals. Default: none.' }),
      equals: z
        .unknown()
        .optional()
        .meta({ description: 'The value check.json must hold (any JSON value, compared deeply). Default: none (required with check.json).' }),
    })
    .optional()
    .meta({
      description:
        "Response body check on a successful status (open-loop HTTP engine): a response that fails it counts as the error 'check-failed'. Default: none.",
    }),
  version: z
    .union([z.literal('1.1'), z.literal('2'), z.literal(1.1), z.literal(2)], { error: 'must be 1.1 or 2' })
    .default('1.1')
    .transform((v) => String(v) as '1.1' | '2')
    .meta({
      description:
        'HTTP version: 1.1, or 2 (load.mode rate): over TLS for https:// targets (negotiated by ALPN; a server that does not agree is refused before load), h2c with prior knowledge for http:// targets.',
    }),
  streams: z.number().int().min(1).max(1000).optional().meta({
    description:
      'HTTP/2: most requests in flight on one connection; a run opens up to ceil(load.maxInFlight / streams) connections as the load needs them. Default 100.',
    unit: UNIT.requests,
  }),
  tls: tlsSchema.optional().meta({ description: "TLS settings for https:// targets (load.mode rate). Default: none (the system's roots, the URL's host)." }),
});

/** A field of a section without its default: a request entry that leaves it out inherits the section's value. */
function inherited<T extends z.ZodType>(field: T): z.ZodOptional<z.ZodType<z.output<T>, z.input<T>>> {
  const meta = z.globalRegistry.get(field);
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) inner = inner.unwrap() as z.ZodType;
  const description = `${meta?.description ?? ''} Default: the section's value.`.trim();
  return inner.optional().meta({ ...meta, description }) as z.ZodOptional<z.ZodType<z.output<T>, z.input<T>>>;
}

function inheritedShape<S extends z.ZodRawShape>(shape: S): { [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>, z.input<S[K]>>> } {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) out[k] = inherited(v as z.ZodType);
  return out as { [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>, z.input<S[K]>>> };
}

/**
 * One entry of `requests:`: a name, a weight and the per-request fields of the
 * http: (method, path, headers, body, ...) or grpc: (method, request, metadata)
 * section, each defaulting to the section's value. Derived from the sections'
 * shapes, so a per-request field added there is a per-request field here.
 */
export function requestEntrySchema() {
  // Connection-level fields (timeout, version, streams, tls) are the run's, not a request's; the body
  // check (http.check) is sampled over the run's sends, one setting for every request.
  const { timeout: _timeout, method: _method, version: _version, streams: _streams, tls: _tls, check: _check, ...httpFields } = httpSchema.shape;
  const { request, metadata } = grpcSchema.shape;
  return z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { message: 'must use only letters, digits, ".", "_" and "-"' })
      .meta({ description: 'Name of the request: reports break windows and steps down by it. Unique in the list.' }),
    weight: z.number().positive().default(1).meta({
      description: 'Share of the sends: each send picks a request with probability weight / sum of weights, by a hash of (load.seed, send number).',
      unit: UNIT.ratio,
    }),
    method: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "HTTP method (http.method) or gRPC method of grpc.service (grpc.method). Default: the section's value." }),
    ...inheritedShape(httpFields),
    ...inheritedShape({ request, metadata }),
  });
}

export const growthSchema = z.union(
  [
    z.strictObject({
      factor: z
        .number()
        .gt(1, { message: 'must be greater than 1' })
        .meta({ description: 'Geometric ramp: each step is the previous times factor.', unit: UNIT.ratio }),
    }),
    z.strictObject({ step: positive().meta({ description: 'Linear ramp: each step is the previous plus step.', unit: UNIT.load }) }),
  ],
  { error: 'must be { factor: <number above 1> } or { step: <positive number> }' },
);

/** Defaults that depend on load.mode: rate steps are req/s, concurrency steps are connections. */
export const MODE_DEFAULTS = {
  rate: { start: 100, end: 20_000, growth: { factor: 1.5 } },
  concurrency: { start: 1, end: 256, growth: { factor: 2 } },
} as const;

export const loadSchema = z
  .strictObject({
    mode: z.enum(['rate', 'concurrency']).default('rate').meta({
      description:
        'rate = open loop, requests per second on a fixed schedule; concurrency = closed loop, a number of connections each sending its next request when the last answered.',
    }),
    engine: z.enum(['http-open', 'http-closed', 'grpc', 'k6']).optional().meta({
      description:
        'Load engine. Default: http-open (rate) or http-closed (concurrency) for http(s):// targets, grpc for grpc(s):// targets; k6 runs a local k6 binary (PATH or K6_BINARY), one short k6 run per step.',
    }),
    start: positive().optional().meta({
      description: 'First (baseline) step: a load the target handles comfortably. Default 100 req/s (rate) or 1 connection (concurrency).',
      unit: UNIT.load,
    }),
    end: positive()
      .optional()
      .meta({ description: 'Highest step the ramp may reach. Default 20000 req/s (rate) or 256 connections (concurrency).', unit: UNIT.load }),
    growth: growthSchema.optional().meta({
      description: 'Ramp growth: { factor: 1.5 } (geometric) or { step: 500 } (linear). Default { factor: 1.5 } (rate) or { factor: 2 } (concurrency).',
    }),
    pipelining: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Concurrency mode: HTTP/1.1 requests each connection keeps in flight (autocannon pipelining). Default 1.', unit: UNIT.requests }),
    workers: z
      .union([z.literal('auto'), z.number().int().min(0)], { error: "must be 'auto' or a whole number >= 0" })
      .optional()
      .meta({
        description:
          "Load threads. auto = the machine's cores minus one for the controller (at least 1; os.availableParallelism). Rate mode: N >= 2 threads split the schedule (request i goes to thread i mod N), 0 or 1 = the main thread; default 1. Concurrency mode: worker threads that share the connections (0 = the main thread); default 0.",
        unit: UNIT.threads,
      }),
    stepDuration: duration.prefault('5s').meta({ description: 'Duration of each ramp step.', unit: UNIT.duration }),
    warmup: duration.prefault('3s').meta({ description: 'Discarded time at the start of the baseline step.', unit: UNIT.duration }),
    baselineWindows: z
      .number()
      .int()
      .min(5)
      .default(20)
      .meta({ description: 'Windows learned at the baseline load before the ramp starts (>= 20 recommended).', unit: UNIT.windows }),
    drain: duration
      .prefault('500ms')
      .meta({ description: 'Pause between steps to let the target drain, after in-flight requests finished.', unit: UNIT.duration }),
    drainTimeout: duration.prefault('10s').meta({
      description: 'With runtime signals, also wait (at most this long) until they are back under their thresholds before the next step.',
      unit: UNIT.duration,
    }),
    arrival: z
      .enum(['uniform', 'poisson'])
      .default('uniform')
      .meta({ description: 'Send schedule: uniform spacing or poisson arrivals (seeded by load.seed).' }),
    pacing: z.enum(['timer', 'spin']).default('timer').meta({
      description:
        'Rate mode: how the pacing loop waits for the next send. timer sleeps on Node timers (send lag up to ~1-2 ms from their millisecond clock, no idle CPU); spin polls the event loop for the last 3 ms before each send (sub-millisecond send lag, one busy core while a step runs).',
    }),
    refine: z
      .strictObject({
        resolution: z
          .number()
          .min(0)
          .max(1)
          .default(0.05)
          .meta({ description: 'Stop bisecting when (firstBreach - lastPass) / lastPass <= resolution. 0 disables refinement.', unit: UNIT.ratio }),
        stepDuration: duration.optional().meta({ description: 'Duration of each refinement step. Default: load.stepDuration.', unit: UNIT.duration }),
        maxSteps: z.number().int().min(0).default(6).meta({ description: 'Most refinement steps.', unit: UNIT.steps }),
      })
      .prefault({})
      .meta({ description: 'Bisection between the last passing and the first breaching step, after the first breach.' }),
    maxDuration: duration
      .prefault('10m')
      .meta({ description: "Hard cap on the whole run's wall time; validation refuses a plan that cannot fit.", unit: UNIT.duration }),
    maxRate: positive().optional().meta({ description: "Hard cap on any step's rate (rate mode). Default: load.end.", unit: UNIT.rate }),
    maxInFlight: z.number().int().positive().default(1000).meta({
      description: "Most requests in flight; at the cap, scheduled requests are not sent and count as 'in-flight-cap' errors against the target.",
      unit: UNIT.requests,
    }),
    maxRequests: z.number().int().positive().default(10_000_000).meta({ description: 'Hard cap on requests sent over the whole run.', unit: UNIT.requests }),
    seed: z.number().int().default(1).meta({
      description:
        'Seed of everything random in a run: the poisson schedule (load.arrival poisson), the request mix (requests), random placeholders and data.order random. run --seed overrides it.',
      unit: UNIT.none,
    }),
  })
  .transform((l) => {
    const d = MODE_DEFAULTS[l.mode];
    return { ...l, start: l.start ?? d.start, end: l.end ?? d.end, growth: l.growth ?? { ...d.growth } };
  });

const enabled = (what: string) =>
  z
    .boolean()
    .default(true)
    .meta({ description: `false turns the ${what} stop signal off.` });

export const detectSchema = z.strictObject({
  window: duration.prefault('1s').meta({ description: 'Measurement window.', unit: UNIT.duration }),
  minRequests: z
    .number()
    .int()
    .min(1)
    .default(200)
    .meta({ description: 'Windows with fewer responses are extended until they have this many (p99 of few requests is noise).', unit: UNIT.requests }),
  k: z.number().positive().default(3).meta({ description: 'Robust threshold: baseline median + k x sigma (sigma from the scaled MAD).', unit: UNIT.sigma }),
  confirm: z.number().int().min(1).default(2).meta({ description: 'Consecutive breaching windows that confirm a breach.', unit: UNIT.windows }),
  recheck: z.boolean().default(true).meta({
    description:
      'A coarse-ramp breach on p99 alone is repeated once (after the drain) before the search narrows below it: a breach that does not come back was a passing burst of noise (the machine, a GC pause), and the ramp goes on.',
  }),
  p99: z
    .strictObject({
      minRatio: z
        .number()
        .min(1)
        .default(2)
        .meta({ description: 'Practical floor: a breach also needs p99 >= minRatio x the baseline median p99.', unit: UNIT.ratio }),
      sigmaFloor: z
        .number()
        .min(0)
        .default(0.02)
        .meta({ description: 'Floor of sigma on log p99, so a very steady baseline does not make noise a breach.', unit: 'log(ms)' }),
      request: z.string().min(1).optional().meta({
        description:
          "Name of one of the scenario's requests: that request's p99 is the one judged (its baseline learned on it too) instead of the p99 of all requests. Default: none (the totals' p99).",
      }),
      enabled: enabled('p99'),
    })
    .prefault({})
    .meta({ description: 'p99 latency stop signal (open loop: measured from the intended send time, judged net of send lag).' }),
  errors: z
    .strictObject({
      maxRate: z
        .number()
        .min(0)
        .max(1)
        .default(0.01)
        .meta({ description: 'Practical floor: a breach also needs an error rate above maxRate (0.01 = 1%).', unit: UNIT.ratio }),
      enabled: enabled('error-rate'),
    })
    .prefault({})
    .meta({ description: 'Error-rate stop signal: failed requests (status, timeout, connection error) per window.' }),
  throughput: z
    .strictObject({
      minRatio: z
        .number()
        .min(0)
        .max(1)
        .default(0.95)
        .meta({ description: 'Practical floor: a breach also needs the achieved rate below minRatio x the offered rate.', unit: UNIT.ratio }),
      enabled: enabled('throughput'),
    })
    .prefault({})
    .meta({ description: 'Throughput stop signal: the target answers less than it is offered.' }),
  generator: z
    .strictObject({
      maxSendLag: duration.prefault('5ms').meta({ description: 'The generator fell behind when send-lag p99 exceeds this.', unit: UNIT.duration }),
      minSendRatio: z
        .number()
        .min(0)
        .max(1)
        .default(0.98)
        .meta({ description: '... or when it sent less than this fraction of the schedule while below the in-flight cap.', unit: UNIT.ratio }),
      maxBusy: z.number().gt(0).max(1).default(0.9).meta({
        description: 'Concurrency mode: ... or when its event loop was busy more than this fraction of a window (responses then wait in the client).',
        unit: UNIT.ratio,
      }),
      retries: z.number().int().min(0).max(3).default(1).meta({
        description:
          "A step where the generator fell behind is repeated (after the drain) this many times before the run stops generator-limited: a busy machine's hiccup is not the generator's limit. 0 stops at once.",
        unit: UNIT.steps,
      }),
    })
    .prefault({})
    .meta({ description: 'When the load generator itself fell behind: such a step is generator-limited, never the critical point.' }),
  plateau: z
    .strictObject({
      minGain: z.number().min(0).max(1).default(0.05).meta({
        description: "Concurrency mode: a step breaches when its throughput is not above the last passing step's by minGain while its mean latency grows.",
        unit: UNIT.ratio,
      }),
      minEfficiency: z.number().min(0).max(1).default(0.5).meta({
        description:
          '... nor by this share of the ideal gain (connections ratio - 1), when larger: 0.5 = throughput grew less than half as fast as the connections. 0 leaves the plain minGain rule.',
        unit: UNIT.ratio,
      }),
      enabled: enabled('throughput-plateau'),
    })
    .prefault({})
    .meta({ description: 'Concurrency mode: the throughput plateau stop signal (more connections, no more throughput).' }),
});

export const reportSchema = z.strictObject({
  dir: z.string().min(1).default('results').meta({ description: 'Folder for run folders (<dir>/<name>/<UTC timestamp>/); --out overrides it.' }),
  formats: z
    .array(z.enum(['json', 'csv', 'html', 'md']))
    .min(1)
    .default(['json', 'csv', 'html', 'md'])
    .meta({
      description: 'Files to write. json = summary.json; csv = windows.csv, steps.csv, runtime.csv; html = report.html (offline, charts); md = summary.md.',
    }),
});

export const scenarioSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'must use only letters, digits, ".", "_" and "-"' })
    .meta({ description: 'Run name, used for the results folder.' }),
  target: z
    .strictObject({
      url: z
        .url({ protocol: /^(https?|grpcs?)$/, error: 'must be an http://, https://, grpc:// or grpcs:// URL' })
        .meta({ description: 'Base URL of the service: http:// or https://, or grpc:// / grpcs:// (host:port) for a gRPC service. --target overrides it.' }),
    })
    .meta({ description: 'The service under test.' }),
  http: httpSchema.prefault({}).meta({ description: 'The HTTP request sent over and over (http:// and https:// targets).' }),
  requests: z.array(requestEntrySchema()).min(1).optional().meta({
    description:
      "A weighted mix of named requests; each entry overrides the http: or grpc: section per request (the section stays the default for every field left out). Default: none (every send is the section's request).",
  }),
  data: dataSchema.optional().meta({ description: 'A data file whose rows feed ${data:COLUMN} placeholders, one row per send. Default: none.' }),
  grpc: grpcSchema.optional().meta({
    description: 'The gRPC call sent over and over: proto, service, method, request (grpc:// and grpcs:// targets). Default: none; required for a gRPC target.',
  }),
  load: loadSchema.prefault({}).meta({ description: 'The load plan: a baseline step, ramp steps until a breach, bisection; and the hard caps.' }),
  detect: detectSchema.prefault({}).meta({ description: 'When the target breaks its baseline: windows, thresholds and the stop signals.' }),
  runtime: runtimeSchema
    .optional()
    .meta({ description: 'Runtime endpoints of the target sampled next to the load; each is a stop signal too. Default: none.' }),
  report: reportSchema.prefault({}).meta({ description: 'What to write and where.' }),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

/** The JSON Schema of the scenario format (what users write), with each field's description, default and unit: `critpoint schema`. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
