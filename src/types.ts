// Contracts shared across folders. Data flows one way:
// schedule -> engine -> windows -> detector -> runner decision -> reporters.
// Engines and samplers never decide; the detector never does I/O; reporters
// never compute statistics.
import type { Scenario } from './scenario/schema.js';

export type { Scenario };

/** Why a run ended. */
export type StopReason =
  | 'breach'
  | 'completed'
  | 'generator-limited'
  | 'target-unreachable'
  | 'interrupted'
  | 'error';

export type LoadUnit = 'req/s' | 'connections';

export type Phase = 'baseline' | 'ramp' | 'refine';

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
  /** Most requests this step may schedule: what is left of load.maxRequests for the run. Absent = no run-wide limit. */
  maxRequests?: number;
}

/** Error kinds counted per window. HTTP: status classes and transport failures; gRPC adds status codes. */
export type ErrorCounts = Record<string, number>;

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
}

/** Time to the first message of a stream, ms (from the intended send time in open loop). */
export interface FirstMessageLatency {
  p50: number;
  p99: number;
}

/** Result of one step as the engine reports it. */
export interface StepStats {
  step: Step;
  windows: WindowStats[];
  /** Whole-step aggregates (warm-up excluded). */
  sent: number;
  completed: number;
  errors: ErrorCounts;
  errorTotal: number;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  sendLagP99: number;
  maxInFlight: number;
  /** Server-streaming calls only: time to the first message. */
  firstMessage?: FirstMessageLatency;
  /** True when the step was stopped before its planned end. */
  aborted: boolean;
  /** Wall time the step took, ms, including the drain of in-flight requests. */
  elapsedMs: number;
}

/** What the runner gives an engine for one step. */
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
  liveness?: LivenessSink;
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

export interface SamplerHealth {
  signal: string;
  status: 'ok' | 'gaps' | 'failed';
  samples: number;
  gaps: number;
  lastError?: string;
}

/** Detector decisions about one signal. */
export type SignalName = 'p99' | 'errors' | 'throughput' | string;

export interface SignalBaseline {
  signal: SignalName;
  /** The statistic: 'log-p99' for latency, 'value' for rates and runtime gauges. */
  statistic: 'log-p99' | 'ratio' | 'rate' | 'value';
  /** 'up' breaches when the value rises above the threshold, 'down' when it falls below. */
  direction: 'up' | 'down';
  median: number;
  sigma: number;
  /** Robust threshold: median +/- k * sigma, in the statistic's scale. */
  robustThreshold: number;
  /** Practical floor, in the signal's natural unit (ms for p99). */
  practicalThreshold: number;
  /** Threshold to show people, in the signal's natural unit (the stricter of the two). */
  threshold: number;
  /** Median in the signal's natural unit (ms for p99). */
  medianValue: number;
  windows: number;
}

export interface Baseline {
  load: number;
  unit: LoadUnit;
  windows: number;
  signals: Record<SignalName, SignalBaseline>;
}

export interface SignalBreach {
  signal: SignalName;
  /** Values of the confirming windows, natural unit. */
  values: number[];
  windowIndexes: number[];
  baselineMedian: number;
  sigma: number;
  threshold: number;
  /** Human sentence: "p99 41.2 ms > threshold 18.0 ms (2x baseline 9.0 ms) in 2 consecutive windows". */
  reason: string;
}

export type StepOutcome = 'pass' | 'breach' | 'generator-limited' | 'aborted';

export interface StepResult {
  index: number;
  phase: Phase;
  load: number;
  unit: LoadUnit;
  outcome: StepOutcome;
  breaches: SignalBreach[];
  stats: Omit<StepStats, 'windows' | 'step'>;
  windowCount: number;
  /** Little's law check: in-flight vs throughput x mean latency (diagnostic, never gating). */
  littlesLaw?: LittlesLawCheck;
}

/** Little's law on one step: client in-flight ~ throughput x mean latency. */
export interface LittlesLawCheck {
  /** Time-averaged requests in flight, measured by the client. */
  inFlight: number;
  /** Completions per second (any status). */
  throughput: number;
  meanLatencyMs: number;
  /** throughput x mean latency: the in-flight Little's law predicts. */
  predicted: number;
  /** predicted / inFlight */
  ratio: number;
  /** |ratio - 1| <= tolerance */
  holds: boolean;
  tolerance: number;
}

/** Universal Scalability Law fit of throughput vs concurrency: X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)). */
export interface UslFit {
  /** Throughput of one client alone, per second. */
  lambda: number;
  /** Contention (serial fraction). */
  sigma: number;
  /** Coherency (crosstalk) cost. */
  kappa: number;
  /** Predicted peak concurrency floor(sqrt((1 - sigma) / kappa)); null when kappa is 0 (no peak). */
  peakConcurrency: number | null;
  /** Predicted throughput at the peak, per second. */
  peakThroughput: number | null;
  /** Coefficient of determination of the fit. */
  r2: number;
  points: number;
}

export interface UslDiagnostic {
  status: 'fitted' | 'not-applicable' | 'too-few-points' | 'peak-not-passed' | 'fit-failed';
  /** Why there is no fit, or what the fit says, in one sentence. */
  detail: string;
  fit: UslFit | null;
  /** The (concurrency, throughput) points used. */
  points: { concurrency: number; throughput: number }[];
}

/** Reported, never gating. */
export interface RunDiagnostics {
  usl: UslDiagnostic;
  littlesLaw: { steps: number; holding: number; tolerance: number; detail: string };
}

export interface CriticalPoint {
  /** The critical point: the highest passing load. */
  value: number;
  unit: LoadUnit;
  lastPass: number;
  firstBreach: number;
  /** (firstBreach - lastPass) / lastPass */
  resolution: number;
  /** Signals that confirmed the breach at firstBreach. */
  signals: SignalBreach[];
}

export interface EvidenceFile {
  kind: string;
  path: string;
  bytes: number;
}

export interface RunEnvironment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  loadAverage: number[];
  critpoint: string;
}

/** Everything a run produced: what reporters write. */
export interface RunResult {
  schemaVersion: number;
  runId: string;
  name: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  stopReason: StopReason;
  /** One sentence: why it stopped. */
  stopDetail: string;
  exitCode: number;
  engine: string;
  target: string;
  /** Resolved scenario, secrets redacted. */
  scenario: unknown;
  environment: RunEnvironment;
  baseline: Baseline | null;
  steps: StepResult[];
  windows: WindowStats[];
  runtimeSamples: RuntimeSample[];
  samplers: SamplerHealth[];
  criticalPoint: CriticalPoint | null;
  /** Highest load that passed, even when no critical point could be named (completed, generator-limited). */
  lastPass: number | null;
  evidence: EvidenceFile[];
  /** Scalability diagnostics (USL, Little's law): reported, never gating. */
  diagnostics?: RunDiagnostics;
  /** Files written, relative to the run folder. */
  files: string[];
  warnings: string[];
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
