// Pure: judging a step whose windows could not be judged. Windows close only
// with detect.minRequests outcomes, so a target that stops answering (hangs
// with requests still in flight, timeouts that land after the schedule ended)
// leaves a step with fewer than `confirm` evaluable windows, which the window
// rules can never confirm: it would pass. Such a step is judged on its totals
// instead: successful responses per second of sending against the offered load.
import type { SignalBreach, StepStats, WindowStats } from '../types.js';
import { evaluable } from './baseline.js';
import type { DetectConfig } from './signals.js';

export function judgeThinStep(
  windows: WindowStats[],
  stats: Pick<StepStats, 'sent' | 'completed' | 'achievedRate'>,
  offered: number,
  cfg: DetectConfig,
): SignalBreach | null {
  if (!cfg.throughput.enabled || stats.sent === 0 || offered <= 0) return null;
  const judged = windows.filter(evaluable);
  if (judged.length >= cfg.confirm) return null;
  const ratio = stats.achievedRate / offered;
  if (!(ratio < cfg.throughput.minRatio)) return null;
  return {
    signal: 'throughput',
    values: [ratio],
    windowIndexes: windows.map((w) => w.index),
    baselineMedian: 1,
    sigma: 0,
    threshold: cfg.throughput.minRatio,
    reason: `throughput ${(ratio * 100).toFixed(1)}% of offered over the whole step < ${(cfg.throughput.minRatio * 100).toFixed(1)}% (${stats.completed} of ${stats.sent} requests answered; only ${judged.length} window(s) had enough outcomes to be judged)`,
  };
}
