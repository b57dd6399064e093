// Errors of comparing runs. Each has a stable code, an exit code and a hint, like the project's
// other error classes; the CLI maps them to exit codes in one place.

/** One scenario field that differs between the two runs. */
export interface FieldDifference {
  /** Dot path, e.g. 'load.mode', 'http.path', 'unit'. */
  field: string;
  base: unknown;
  head: unknown;
}

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The two runs measured different things: their critical points cannot be compared. */
export class CompareMismatchError extends Error {
  readonly code = 'COMPARE_MISMATCH';
  readonly exitCode = 2;
  readonly hint = 'Compare runs of the same scenario: same load mode and unit, same request, same ramp start and end.';
  readonly differences: FieldDifference[];

  constructor(differences: FieldDifference[]) {
    const list = differences.map((d) => `${d.field}: base ${show(d.base)}, head ${show(d.head)}`).join('; ');
    super(`runs differ in ${differences.map((d) => d.field).join(', ')} (${list})`);
    this.name = 'CompareMismatchError';
    this.differences = differences;
  }

  /** The differing field paths. */
  get fields(): string[] {
    return this.differences.map((d) => d.field);
  }
}

/** A run that found no usable critical point (generator-limited, target-unreachable, error...). */
export class RunNotComparableError extends Error {
  readonly code = 'RUN_NOT_COMPARABLE';
  readonly exitCode = 2;
  readonly hint = 'Only runs that stopped on a breach (or completed the ramp, as a lower bound) can be compared; rerun the other one.';
  readonly side: 'base' | 'head';
  readonly stopReason: string;

  constructor(side: 'base' | 'head', runId: string, stopReason: string, detail: string) {
    super(`${side} run ${runId} has no critical point to compare (stopReason '${stopReason}'): ${detail}`);
    this.name = 'RunNotComparableError';
    this.side = side;
    this.stopReason = stopReason;
  }
}
