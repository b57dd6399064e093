// Contracts shared across folders. Data flows one way:
// schedule -> engine -> windows -> detector -> runner decision -> reporters.
// Engines and samplers never decide; the detector never does I/O; reporters
// never compute statistics.
//
// The result's types (everything summary.json holds) are inferred from its
// schema in result/summary-schema.ts and named here.
import type { z } from 'zod';
import type { Scenario } from './scenario/schema.js';
import type * as S from './result/summary-schema.js';

export type { Scenario };

/** Why a run ended. */
export type StopReason = z.output<typeof S.stopReasonSchema>;
export type LoadUnit = z.output<typeof S.loadUnitSchema>;
export type Phase = z.output<typeof S.phaseSchema>;
/** Error kinds counted per window. HTTP: status classes and transport failures; gRPC adds status codes. */
export type ErrorCounts = z.output<typeof S.errorCountsSchema>;
/** Time to the first message of a stream, ms (from the intended send time in open loop). */
export type FirstMessageLatency = z.output<typeof S.firstMessageSchema>;
/** Whole-step aggregates (warm-up excluded): StepStats without its step and windows. */
export type StepAggregates = z.output<typeof S.stepAggregatesSchema>;
/** One request name's figures in a window or a step (scenario `requests:` with several entries). */
export type RequestStats = z.output<typeof S.requestStatsSchema>;
/** Request name -> RequestStats. */
export type RequestBreakdown = z.output<typeof S.requestBreakdownSchema>;
export type SamplerHealth = z.output<typeof S.samplerHealthSchema>;
export type SignalBaseline = z.output<typeof S.signalBaselineSchema>;
export type Baseline = z.output<typeof S.baselineSchema>;
export type SignalBreach = z.output<typeof S.signalBreachSchema>;
export type StepOutcome = z.output<typeof S.stepOutcomeSchema>;
export type StepResult = z.output<typeof S.stepResultSchema>;
/** Little's law on one step: client in-flight ~ throughput x mean latency. */
export type LittlesLawCheck = z.output<typeof S.littlesLawCheckSchema>;
export type UslFit = z.output<typeof S.uslFitSchema>;
export type UslDiagnostic = z.output<typeof S.uslDiagnosticSchema>;
/** Reported, never gating. */
export type RunDiagnostics = z.output<typeof S.runDiagnosticsSchema>;
export type ConnectionsDiagnostic = z.output<typeof S.connectionsDiagnosticSchema>;
export type ServiceDescription = z.output<typeof S.serviceDescriptionSchema>;
export type CriticalPoint = z.output<typeof S.criticalPointSchema>;
export type EvidenceFile = z.output<typeof S.evidenceFileSchema>;
export type RunEnvironment = z.output<typeof S.runEnvironmentSchema>;
/** The scenario as a run recorded it (secrets redacted); a resolved Scenario is one. */
export type RecordedScenario = z.output<typeof S.recordedScenarioSchema>;
/** Everything a run produced: what reporters write. summary.json is this without the per-window series. */
export type RunResult = z.output<typeof S.runSummaryCore> & {
  windows: WindowStats[];
  runtimeSamples: RuntimeSample[];
};

/** One constant-load step of the plan. */
export interface Step {
  index: number;
  phase: Phase;
  /** Offered load: a rate in req/s (open loop) or a concurrency (closed loop). */
  load: number;
  unit: LoadUnit;
  /** Planned duration of the measured part of the step, ms (the baseline step may run longer to collect its windows). */
  durationMs: number;
  /** Leading part of the step that is discarded (only the baseline step has one), ms. */
  warmupMs: number;
  /**
   * The step's budget: most requests it may schedule (what is left of load.maxRequests for the run).
   * Every engine honours it exactly: the step schedules min(its plan, maxRequests) requests, never one more.
   */
  maxRequests: number;
}

/** A step as the plan proposes it, before the runner gives it its budget (RunCaps.bound). */
export type StepPlan = Omit<Step, 'maxRequests'>;

/** Statistics of one measurement window. Times are ms since the run started. */
export interface WindowStats {
  /** Running index over the whole run. */
  index: number;
  stepIndex: number;
  phase: Phase;
  /** True for windows inside the step's warm-up: reported, never evaluated. */
  warmup: boolean;
  tStart: number;
  tEnd: number;
  /** Offered load of the step (req/s or connections). */
  offered: number;
  /** Requests scheduled to be sent in this window (open loop) */
  scheduled: number;
  /** Requests actually sent. */
  sent: number;
  /** Responses received (any status), i.e. requests with a latency. */
  completed: number;
  /** Failed requests by kind (e.g. 'http-5xx', 'timeout', 'connection', 'in-flight-cap'). */
  errors: ErrorCounts;
  errorTotal: number;
  /** errorTotal / (completed + transport errors) */
  errorRate: number;
  /** Requests sent per second. */
  sendRate: number;
  /** Successful responses per second: the achieved throughput. */
  achievedRate: number;
  /** Latency percentiles in ms (from the intended send time in open loop). NaN when no response. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** p99 of (actual send time - intended send time), ms. 0 in closed loop. */
  sendLagP99: number;
  /**
   * Worker-thread engines (load.workers >= 2): the load thread (0-based) whose send lag set sendLagP99, the
   * worst of the threads' p99s and the merged one. Absent on one thread.
   */
  sendLagThread?: number;
  /** Highest number of requests in flight during the window. */
  maxInFlight: number;
  /** Time-averaged requests in flight during the window (for the Little's-law check). */
  meanInFlight?: number;
  /** Fraction of the window the load generator's event loop was busy (closed loop: its own saturation check). */
  generatorBusy?: number;
  /** Requests not sent because the in-flight cap was reached. */
  capHits: number;
  /** Fewer requests than detect.minRequests: shown, not evaluated. */
  sparse: boolean;
  /** Runtime signal values sampled in this window (signal name -> value or null for a gap). */
  runtime: Record<string, number | null>;
  /** Server-streaming calls only: latency to the first message (p50/p99 above are to the end of the stream). NaN when none arrived. */
  firstMessage?: FirstMessageLatency;
  /** Per request name, when the scenario lists several requests (absent otherwise). */
  byRequest?: RequestBreakdown;
}

/** Result of one step as the engine reports it. */
export interface StepStats extends StepAggregates {
  step: Step;
  windows: WindowStats[];
  /**
   * Requests still unanswered when runStep returned (the drain timed out): sent, neither answered nor
   * failed in any window. 0 when the step drained. Not part of the summary's step aggregates: the
   * runner turns a non-zero count into a warning.
   */
  inFlightAtEnd: number;
}

/**
 * What the runner gives an engine for one step. Together with Step it is the engine contract, and every
 * field is required: every engine honours every one (test/integration/engine-contract.test.ts runs each
 * engine against the same checks):
 *   - budget: Step.maxRequests is never exceeded;
 *   - abort: once `signal` fires, no request leaves; in-flight requests get a bounded drain;
 *   - liveness: every response and transport failure reaches `liveness` as it happens, so a dead target
 *     is told within about a second (runner/target-watchdog.ts);
 *   - in-flight accounting: windows carry maxInFlight, and StepStats.inFlightAtEnd what never settled.
 */
export interface StepContext {
  /** ms since the run started, on the run's monotonic clock. */
  now(): number;
  /** Aborting stops sending at once; in-flight requests get a bounded time to finish. */
  signal: AbortSignal;
  /** Called each time a window closes, before the next one starts: the runner evaluates it live. */
  onWindow(window: WindowStats): void;
  /** Index the next window will get (running over the run). */
  nextWindowIndex(): number;
  /** Told of every response and transport failure as it happens (the runner's target watchdog). */
  liveness: LivenessSink;
}

/** Per-request outcomes, pushed as they happen, so the runner can tell a dead target within ~1 s (runner/target-watchdog.ts). */
export interface LivenessSink {
  /** A response (any status) arrived at run-clock time `at`. */
  response(at: number): void;
  /** A request failed without a response; kind as in ErrorCounts ('connection', 'timeout', ...). */
  failed(kind: string, at: number): void;
}

/** A load engine: turns one Step into windows. Never decides anything. */
export interface Engine {
  readonly name: string;
  /** One line for logs: what it sends where. */
  describe(): string;
  /** Checks the target answers; throws TargetUnreachableError otherwise. */
  preflight(timeoutMs: number): Promise<void>;
  runStep(step: Step, ctx: StepContext): Promise<StepStats>;
  close(): Promise<void>;
  /** Optional (http-open): the connections the run opened, the protocol they spoke, the most streams one carried. */
  connectionReport?(): ConnectionsDiagnostic;
  /** Optional (grpc): where the service description came from (proto file or server reflection), for summary.json. */
  serviceDescription?(): ServiceDescription | undefined;
  /** Optional: after a generator-limited stop, the rate reached, the CPU a request cost and how to get more load (appended to the stop detail). */
  generatorAdvice?(): string;
}

/** One reading of one runtime signal. */
export interface RuntimeSample {
  signal: string;
  /** ms since the run started, at the moment the response arrived. */
  t: number;
  value: number | null;
  /** How long the request took, ms. */
  latencyMs: number;
  /** Why value is null. */
  error?: string;
}

/** A report format. */
export interface Reporter {
  readonly name: string;
  /** Files it always writes, known before it runs: summary.json lists them and the reports link to each other. */
  readonly files?: readonly string[];
  /** Writes its files into dir; returns their names relative to dir. */
  write(result: RunResult, dir: string): Promise<string[]>;
}

/** Progress events the runner emits; the CLI turns them into lines or a live view. */
export type ProgressEvent =
  | { type: 'phase'; phase: Phase | 'preflight' | 'drain' | 'done'; detail?: string }
  | { type: 'step-start'; step: Step }
  | { type: 'window'; window: WindowStats; baseline: Baseline | null }
  | { type: 'step-end'; result: StepResult }
  | { type: 'warning'; message: string };
