// summary.json: the one schema of a run's result. The TypeScript types of the
// result (src/types.ts re-exports them) are inferred from it; the json reporter
// writes through it, compare, gate and `critpoint report` read through it, and
// `critpoint schema --summary` publishes it as JSON Schema.
//
// JSON has no NaN or Infinity (JSON.stringify writes null): a measured figure is
// a number in memory and number-or-null in the file, where null means "no value"
// (no response in the window, nothing to divide by) and reads back as NaN.
import { z } from 'zod';

/** Bump when a field is removed or changes meaning; readers refuse other versions. */
export const SUMMARY_SCHEMA_VERSION = 1;

const figure = z
  .codec(
    z.number().nullable(),
    z.custom<number>((v) => typeof v === 'number'),
    {
      decode: (v) => v ?? NaN,
      encode: (v) => (Number.isFinite(v) ? v : null),
    },
  )
  .describe('a measured figure; null when there is no value (NaN or infinite in memory)');

export const stopReasonSchema = z
  .enum(['breach', 'completed', 'generator-limited', 'target-unreachable', 'baseline-failed', 'interrupted', 'error'])
  .describe('why the run ended');
export const loadUnitSchema = z.enum(['req/s', 'connections']).describe('req/s in rate mode (open loop), connections in concurrency mode (closed loop)');
export const phaseSchema = z.enum(['baseline', 'ramp', 'refine']);
export const stepOutcomeSchema = z.enum(['pass', 'breach', 'generator-limited', 'aborted']);
/** Error kinds -> counts. HTTP: status classes and transport failures ('http-5xx', 'timeout', 'connection', 'in-flight-cap'); gRPC adds status codes. */
export const errorCountsSchema = z.record(z.string(), z.number());

export const firstMessageSchema = z
  .object({ p50: figure, p99: figure })
  .describe('server-streaming calls only: time to the first message, ms (from the intended send time in open loop)');

/** One request name's figures in a window or a step (a scenario with several `requests:`). Same meanings as the totals. */
export const requestStatsSchema = z.object({
  count: z.number().describe('requests of this name with an outcome: responses, transport failures and in-flight-cap refusals (errorRate divides by it)'),
  sent: z.number(),
  completed: z.number().describe('responses received (any status)'),
  errors: errorCountsSchema,
  errorTotal: z.number(),
  errorRate: z.number().describe('errorTotal / count (0 when count is 0)'),
  achievedRate: figure.describe('successful responses per second'),
  p50: figure.describe('latency ms, from the intended send time in open loop; null when no response'),
  p90: figure,
  p99: figure,
  max: figure,
  mean: figure,
});

/** Request name -> its figures; present only when the scenario lists several requests. */
export const requestBreakdownSchema = z
  .record(z.string(), requestStatsSchema)
  .describe("per request name of the scenario's requests: list (present only when it lists several), next to the totals");

/** Whole-step aggregates (warm-up excluded), as the engine measured them. */
export const stepAggregatesSchema = z.object({
  sent: z.number(),
  completed: z.number().describe('responses received (any status)'),
  errors: errorCountsSchema,
  errorTotal: z.number(),
  achievedRate: figure.describe('successful responses per second'),
  p50: figure.describe('latency ms, from the intended send time in open loop'),
  p90: figure,
  p99: figure,
  max: figure,
  mean: figure,
  sendLagP99: figure.describe('p99 of actual minus intended send time, ms; 0 in closed loop'),
  maxInFlight: z.number(),
  firstMessage: firstMessageSchema.optional(),
  byRequest: requestBreakdownSchema.optional(),
  errorExample: z.string().optional().describe('the step\'s first failed request as the engine saw it, e.g. "HTTP 403 Forbidden"'),
  aborted: z.boolean().describe('the step was stopped before its planned end'),
  elapsedMs: z.number().describe('wall time of the step including the drain of in-flight requests'),
});

export const signalBaselineSchema = z.object({
  signal: z.string(),
  statistic: z.enum(['log-p99', 'ratio', 'rate', 'value']).describe("'log-p99' for latency, 'value' for rates and runtime gauges"),
  direction: z.enum(['up', 'down']).describe("'up' breaches above the threshold, 'down' below it"),
  median: figure,
  sigma: figure,
  robustThreshold: figure.describe("median +/- k x sigma, in the statistic's scale"),
  practicalThreshold: figure.describe("practical floor, in the signal's natural unit (ms for p99)"),
  threshold: figure.describe('threshold shown to people, natural unit (the stricter of the two)'),
  medianValue: figure.describe('median in the natural unit'),
  windows: z.number(),
});

export const baselineSchema = z.object({
  load: z.number(),
  unit: loadUnitSchema,
  windows: z.number(),
  signals: z.record(z.string(), signalBaselineSchema),
});

export const signalBreachSchema = z.object({
  signal: z.string(),
  values: z.array(figure).describe('values of the confirming windows, natural unit'),
  windowIndexes: z.array(z.number()),
  baselineMedian: figure,
  sigma: figure,
  threshold: figure,
  reason: z.string().describe('one sentence, e.g. "p99 41.2 ms > threshold 18.0 ms (2x baseline 9.0 ms) in 2 consecutive windows"'),
});

export const littlesLawCheckSchema = z
  .object({
    inFlight: figure.describe('time-averaged requests in flight, measured by the client'),
    throughput: figure.describe('completions per second (any status)'),
    meanLatencyMs: figure,
    predicted: figure.describe('throughput x mean latency'),
    ratio: figure.describe('predicted / inFlight'),
    holds: z.boolean().describe('|ratio - 1| <= tolerance'),
    tolerance: z.number(),
  })
  .describe("Little's law on one step: client in-flight ~ throughput x mean latency (diagnostic, never gating)");

export const stepResultSchema = z.object({
  index: z.number(),
  phase: phaseSchema,
  load: z.number(),
  unit: loadUnitSchema,
  outcome: stepOutcomeSchema,
  breaches: z.array(signalBreachSchema),
  stats: stepAggregatesSchema,
  windowCount: z.number(),
  littlesLaw: littlesLawCheckSchema.optional(),
});

export const uslFitSchema = z
  .object({
    lambda: figure.describe('throughput of one client alone, per second'),
    sigma: figure.describe('contention (serial fraction)'),
    kappa: figure.describe('coherency (crosstalk) cost'),
    peakConcurrency: z.number().nullable().describe('floor(sqrt((1 - sigma) / kappa)); null when kappa is 0 (no peak)'),
    peakThroughput: z.number().nullable(),
    r2: figure,
    points: z.number(),
  })
  .describe('Universal Scalability Law fit of throughput vs concurrency: X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))');

export const uslDiagnosticSchema = z.object({
  status: z.enum(['fitted', 'not-applicable', 'too-few-points', 'peak-not-passed', 'fit-failed']),
  detail: z.string(),
  fit: uslFitSchema.nullable(),
  points: z.array(z.object({ concurrency: z.number(), throughput: figure })),
});

export const connectionsDiagnosticSchema = z
  .object({
    requested: z.enum(['1.1', '2']).describe('http.version asked for'),
    negotiated: z.string().nullable().describe("protocol the connections spoke ('h2', 'http/1.1'); null when none opened"),
    opened: z.number().describe('connections opened over the whole run'),
    maxStreamsPerConnection: z.number().describe('most requests seen in flight on one connection (HTTP/2: sampled every 10 ms)'),
  })
  .describe('HTTP connections of the http-open engine');

export const runDiagnosticsSchema = z
  .object({
    usl: uslDiagnosticSchema,
    littlesLaw: z.object({ steps: z.number(), holding: z.number(), tolerance: z.number(), detail: z.string() }),
    connections: connectionsDiagnosticSchema.optional(),
  })
  .describe('scalability diagnostics: reported, never gating');

export const criticalPointSchema = z.object({
  value: z.number().describe('the critical point: the highest passing load'),
  unit: loadUnitSchema,
  lastPass: z.number(),
  firstBreach: z.number(),
  resolution: z.number().describe('(firstBreach - lastPass) / lastPass'),
  signals: z.array(signalBreachSchema).describe('signals that confirmed the breach at firstBreach'),
});

export const evidenceFileSchema = z.object({ kind: z.string(), path: z.string(), bytes: z.number() });

export const samplerHealthSchema = z.object({
  signal: z.string(),
  status: z.enum(['ok', 'gaps', 'failed']),
  samples: z.number(),
  gaps: z.number(),
  lastError: z.string().optional(),
});

export const runEnvironmentSchema = z.object({
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpus: z.number(),
  cpuModel: z.string(),
  totalMemoryMb: z.number(),
  loadAverage: z.array(z.number()),
  critpoint: z.string().describe('critpoint version that wrote the summary'),
});

/**
 * The scenario as the run resolved it (defaults filled, secrets redacted; see `critpoint schema`).
 * Typed here are the fields that say what was measured, which compare and gate check; every other
 * field is kept as written, since summaries from older versions lack fields added since.
 */
export const recordedScenarioSchema = z
  .looseObject({
    name: z.string(),
    target: z.looseObject({ url: z.string() }),
    http: z.looseObject({ method: z.string(), path: z.string(), body: z.unknown().optional() }).optional(),
    grpc: z.looseObject({ service: z.string(), method: z.string() }).optional(),
    load: z.looseObject({ mode: z.enum(['rate', 'concurrency']), start: z.number(), end: z.number() }),
  })
  .describe('the resolved scenario the run used, secrets redacted');

export const serviceDescriptionSchema = z
  .object({
    source: z.enum(['proto-file', 'server-reflection']).describe('grpc.proto (and its imports) or, without it, gRPC server reflection'),
    files: z.array(z.string()).optional().describe('proto-file: the .proto file and grpc.includeDirs, as the scenario resolved them'),
    reflectionApi: z
      .enum(['grpc.reflection.v1', 'grpc.reflection.v1alpha'])
      .optional()
      .describe('server-reflection: the reflection service that answered (v1 first, then v1alpha)'),
  })
  .describe('gRPC runs: where the service description (methods, message types) the requests were checked and encoded with came from');

/** Everything a run produced except the per-window series (those are in windows.csv and runtime.csv). */
export const runSummaryCore = z.object({
  schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION).describe('version of this format'),
  runId: z.string().describe('<name>/<UTC timestamp>: the run folder under report.dir'),
  name: z.string(),
  startedAt: z.string().describe('ISO 8601'),
  endedAt: z.string().describe('ISO 8601'),
  durationMs: z.number(),
  stopReason: stopReasonSchema,
  stopDetail: z.string().describe('one sentence: why it stopped'),
  exitCode: z.number(),
  engine: z.string(),
  target: z.string().describe('target URL, password redacted'),
  scenario: recordedScenarioSchema,
  environment: runEnvironmentSchema,
  baseline: baselineSchema.nullable(),
  steps: z.array(stepResultSchema),
  samplers: z.array(samplerHealthSchema),
  criticalPoint: criticalPointSchema.nullable(),
  lastPass: z.number().nullable().describe('highest load that passed, even when no critical point could be named'),
  evidence: z.array(evidenceFileSchema),
  diagnostics: runDiagnosticsSchema.optional(),
  serviceDescription: serviceDescriptionSchema.optional(),
  files: z.array(z.string()).describe('files written, relative to the run folder'),
  warnings: z.array(z.string()),
});

export const summarySchema = runSummaryCore
  .extend({ windowCount: z.number().describe('windows in windows.csv') })
  .meta({ title: 'critpoint summary.json', description: "A critpoint run's result: stop reason, baseline, steps, critical point." });

/** summary.json as it sits in the file (figures may be null). */
export type SummaryJson = z.input<typeof summarySchema>;
/** summary.json as read into memory (figures are numbers, NaN for no value). */
export type Summary = z.output<typeof summarySchema>;

/** The JSON Schema of summary.json (the file's side: figures are number or null). */
export function summaryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(summarySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
