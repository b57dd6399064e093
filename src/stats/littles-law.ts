// Little's law on a step: the time-averaged number of requests the client
// had in flight should equal completions per second x mean latency. Over a
// step's measured windows (warm-up excluded) all three are taken over the
// same intervals. Pure; a diagnostic, never a stop rule.
import type { LittlesLawCheck, WindowStats } from '../types.js';

/** Default tolerance: |predicted / measured - 1| <= 10%. */
export const LITTLE_TOLERANCE = 0.1;

export function littlesLaw(windows: WindowStats[], tolerance = LITTLE_TOLERANCE): LittlesLawCheck | undefined {
  let seconds = 0;
  let area = 0;
  let completed = 0;
  let latencySum = 0;
  for (const w of windows) {
    if (w.warmup || w.meanInFlight === undefined) continue;
    const s = (w.tEnd - w.tStart) / 1000;
    if (!(s > 0)) continue;
    seconds += s;
    area += w.meanInFlight * s;
    if (w.completed > 0 && Number.isFinite(w.mean)) {
      completed += w.completed;
      latencySum += w.mean * w.completed;
    }
  }
  if (seconds <= 0 || completed === 0) return undefined;
  const inFlight = area / seconds;
  const throughput = completed / seconds;
  const meanLatencyMs = latencySum / completed;
  const predicted = (throughput * meanLatencyMs) / 1000;
  const ratio = inFlight > 0 ? predicted / inFlight : Number.POSITIVE_INFINITY;
  return { inFlight, throughput, meanLatencyMs, predicted, ratio, holds: Math.abs(ratio - 1) <= tolerance, tolerance };
}

/** One line over the steps that have a check. */
export function littlesLawSummary(
  steps: { index: number; littlesLaw?: LittlesLawCheck }[],
  tolerance = LITTLE_TOLERANCE,
): { steps: number; holding: number; tolerance: number; detail: string } {
  const present = steps.filter((s) => s.littlesLaw !== undefined).map((s) => ({ c: s.littlesLaw as LittlesLawCheck, i: s.index }));
  const holding = present.filter((x) => x.c.holds).length;
  if (present.length === 0) return { steps: 0, holding: 0, tolerance, detail: "Little's law: no step measured in-flight requests" };
  const worst = present.reduce((a, b) => (Math.abs(b.c.ratio - 1) > Math.abs(a.c.ratio - 1) ? b : a));
  const pct = `${Math.round(tolerance * 100)}%`;
  const w = worst.c;
  return {
    steps: present.length,
    holding,
    tolerance,
    detail: `Little's law holds within ${pct} on ${holding} of ${present.length} steps (furthest: step ${worst.i}, throughput x mean latency ${w.predicted.toFixed(2)} vs ${w.inFlight.toFixed(2)} in flight, ratio ${w.ratio.toFixed(3)})`,
  };
}
