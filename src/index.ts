// The library entry (`import ... from 'critpoint'`): run a scenario, load and
// validate scenarios, read and compare saved runs. The CLI (dist/cli/main.js)
// is built on these; importing this module has no side effect (no signal
// handlers, no output). docs/library.md shows it in use.

// Running
export { runScenario, type RunOptions, type RunOutcome } from './runner/run.js';

// Scenarios: file or data -> validated Scenario (every problem in one ScenarioError)
export { loadScenarioFile, parseScenarioText, resolveScenario, type LoadOptions } from './scenario/load.js';
export { scenarioSchema, type Scenario, type ScenarioInput } from './scenario/schema.js';

// Results: summary.json's schema, reading saved runs
export { summarySchema, summaryJsonSchema, SUMMARY_SCHEMA_VERSION, type Summary, type SummaryJson } from './result/summary-schema.js';
export { parseSummary, summaryOf, runResultOf, type SummaryParse } from './result/summary-io.js';
export { readRunSummary, parseRunSummary } from './compare/run-file.js';
export { readRunFolder, RunFolderError, type LoadedRun } from './reporters/run-folder.js';

// Comparing two runs
export { compareRuns, type ChangeKind, type Comparison, type RunSide, type ShiftBound } from './compare/compare-runs.js';
export { formatComparison, type ComparisonFormat } from './compare/format-comparison.js';
export { CompareMismatchError, RunNotComparableError, RunFileError, type FieldDifference } from './compare/errors.js';

// Errors and exit codes
export { CritpointError, ScenarioError, TargetUnreachableError, NotWritableError, K6NotFoundError, EXIT, exitCodeFor } from './errors.js';

// Types of the result and of the engine contract
export type * from './types.js';
