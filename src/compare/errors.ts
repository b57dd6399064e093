// Errors of comparing runs and gating. Each is a CritpointError (a stable code, an exit code and a
// hint), so the CLI maps them to exit codes in one place like the project's other errors.
import { CritpointError, EXIT } from '../errors.js';

/** One scenario field that differs between the two runs. */
export interface FieldDifference {
  /** Dot path, e.g. 'load.mode', 'http.path', 'unit'. */
  field: string;
  base: unknown;
  head: unknown;
}

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The two runs measured different things: their critical points cannot be compared. */
export class CompareMismatchError extends CritpointError {
  readonly differences: FieldDifference[];

  constructor(differences: FieldDifference[]) {
    const list = differences.map((d) => `${d.field}: base ${show(d.base)}, head ${show(d.head)}`).join('; ');
    super(
      `runs differ in ${differences.map((d) => d.field).join(', ')} (${list})`,
      'COMPARE_MISMATCH',
      EXIT.invalid,
      'Compare runs of the same scenario: same load mode and unit, same request, same ramp start and end.',
    );
    this.differences = differences;
  }

  /** The differing field paths. */
  get fields(): string[] {
    return this.differences.map((d) => d.field);
  }
}

/** A run that found no usable critical point (generator-limited, target-unreachable, error...). */
export class RunNotComparableError extends CritpointError {
  readonly side: 'base' | 'head';
  readonly stopReason: string;

  constructor(side: 'base' | 'head', runId: string, stopReason: string, detail: string) {
    super(
      `${side} run ${runId} has no critical point to compare (stopReason '${stopReason}'): ${detail}`,
      'RUN_NOT_COMPARABLE',
      EXIT.invalid,
      'Only runs that stopped on a breach (or completed the ramp, as a lower bound) can be compared; rerun the other one.',
    );
    this.side = side;
    this.stopReason = stopReason;
  }
}

/** A file given as a saved run is not a readable critpoint summary.json. */
export class RunFileError extends CritpointError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file} is not a usable critpoint summary.json (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
      'INVALID_RUN_FILE',
      EXIT.invalid,
      'Pass the summary.json of a run folder (results/<name>/<timestamp>/summary.json) or the run folder itself.',
    );
  }
}

/** Invalid command-line options of compare or gate: every problem at once, nothing sent. */
export class GateOptionsError extends CritpointError {
  constructor(readonly problems: string[]) {
    super(
      `invalid options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
      'INVALID_OPTIONS',
      EXIT.invalid,
      'critpoint gate --help lists the options; nothing was sent.',
    );
  }
}
