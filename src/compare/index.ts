// Comparing runs and gating a merge: the pure core. The CLI and the runner wire the I/O.
export {
  compareRuns,
  scenarioDifferences,
  type ChangeKind,
  type Comparison,
  type RunSide,
  type ShiftBound,
} from './compare-runs.js';
export { formatComparison, formatNumber, toJson, type ComparisonFormat } from './format-comparison.js';
export { CompareMismatchError, RunNotComparableError, type FieldDifference } from './errors.js';
export {
  decideGate,
  minimalDetectableEffect,
  shouldAddPair,
  DEFAULT_MAX_PAIRS,
  DEFAULT_PAIRS,
  type GateDecision,
  type GatePair,
  type GateVerdict,
} from './gate-decision.js';
export { mulberry32, pairOrders, runSequence, seedFromString, type PairOrder } from './pair-order.js';
export {
  escapeXml,
  gateJson,
  renderGateJUnit,
  renderGateMarkdown,
  type GateJson,
  type GateJsonPair,
  type GateReportOptions,
} from './gate-report.js';
export { definitionDifferences } from './compare-runs.js';
export { RunFileError, GateOptionsError } from './errors.js';
export { readRunSummary, parseRunSummary } from './run-file.js';
export { verdictFor } from './gate-decision.js';
export { decideBaselineGate, DEFAULT_ASSUMED_NOISE, type BaselineGateSide } from './baseline-gate.js';
export { runInterleavedGate, preflightTargets, type InterleavedGateOptions, type GateRunOptions, type ScenarioRunner } from './gate-runner.js';
export { runBaselineGate, checkBaseline, WEAKER_NOTE, type BaselineGateOptions } from './baseline-gate-runner.js';
export { gateExitCode, type GateEvent, type GateMode, type GateOutcome, type GateRunRecord, type GateStatus } from './gate-outcome.js';
export { gateFile, gateJUnit, gateMarkdown, writeGateOutputs, type GateFile, type GateOutputPaths } from './gate-outputs.js';
