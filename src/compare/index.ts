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
