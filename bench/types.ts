// The shape every benchmark module returns (bench/index.ts prints and saves it).

/** One of the targets, as a benchmark measured it (collected into the summary table). */
export interface TargetCheck {
  /** The target as the issue states it, e.g. "last request <= 100 ms after the decision". */
  target: string;
  /** The measured figure, in words and numbers. */
  measured: string;
  /** true met, false not met, null not judged (not measured in this run). */
  met: boolean | null;
}

export interface BenchResult {
  title: string;
  rows: Record<string, string | number>[];
  notes?: string[];
  /** The targets this benchmark measures (bench/summary.ts). */
  targets?: TargetCheck[];
}
