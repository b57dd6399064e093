// Step-level rule for closed loops (pure): "throughput stopped growing".
// A closed loop has no offered rate to fall short of; its saturation shows
// as a step whose throughput is not above the reference step's (the highest
// passing step below it) by a margin while its latency grows. By Little's
// law (N = X x R at fixed N) a flat X at a higher N forces R up, so both
// together mean the target queues; a flat X with a flat R would mean the
// client never kept the extra requests in flight (the generator check
// covers that).
//
// The margin has two parts. minGain is the plain rule (+5%). minEfficiency
// asks for a share of the ideal, linear gain of the step (N2/N1 - 1): a
// coarse step that doubles the connections across the knee (8 -> 16 on a
// target of 8 workers) still gains 10-20% from the part below the knee, so
// minGain alone would pass it and miss the knee by up to the growth factor.
import type { SignalBreach } from '../types.js';
import { figure } from '../format/numbers.js';

export interface PlateauConfig {
  enabled: boolean;
  /** Least relative throughput gain over the reference step. Default 0.05. */
  minGain: number;
  /** Least share of the ideal (linear) gain of the step. Default 0.5; 0 leaves the plain minGain rule. */
  minEfficiency: number;
}

/** Whole-step figures the rule compares. */
export interface StepThroughput {
  load: number;
  /** Successful responses per second. */
  throughput: number;
  meanLatencyMs: number;
}

/**
 * The margins of a step. latency: minGain, but never more than half the
 * ideal gain, so close refinement steps (64 -> 66 connections, ideal +3%) are
 * not judged against a margin they cannot reach. throughput: that, or
 * minEfficiency x the ideal gain when larger.
 */
export function requiredGain(
  ref: StepThroughput,
  cur: StepThroughput,
  cfg: Pick<PlateauConfig, 'minGain' | 'minEfficiency'>,
): { throughput: number; latency: number; ideal: number } {
  const ideal = cur.load / ref.load - 1;
  const latency = Math.min(cfg.minGain, ideal / 2);
  return { throughput: Math.max(latency, cfg.minEfficiency * ideal), latency, ideal };
}

/** The breach when the step's throughput stopped growing while its latency grew; null otherwise. */
export function plateauBreach(ref: StepThroughput, cur: StepThroughput, cfg: PlateauConfig, unit = 'connections'): SignalBreach | null {
  if (!cfg.enabled || !(cur.load > ref.load) || !(ref.throughput > 0) || !(ref.meanLatencyMs > 0)) return null;
  if (!Number.isFinite(cur.throughput) || !Number.isFinite(cur.meanLatencyMs)) return null;
  const g = requiredGain(ref, cur, cfg);
  const threshold = ref.throughput * (1 + g.throughput);
  const flat = cur.throughput <= threshold;
  const slower = cur.meanLatencyMs > ref.meanLatencyMs * (1 + g.latency);
  if (!flat || !slower) return null;
  const gain = (cur.throughput / ref.throughput - 1) * 100;
  return {
    signal: 'plateau',
    values: [cur.throughput],
    windowIndexes: [],
    baselineMedian: ref.throughput,
    sigma: 0,
    threshold,
    reason: `throughput ${figure(cur.throughput)}/s at ${cur.load} ${unit} is ${gain >= 0 ? '+' : ''}${gain.toFixed(1)}% over ${figure(ref.throughput)}/s at ${ref.load} ${unit} (needs > +${(g.throughput * 100).toFixed(1)}%, the connections grew +${(g.ideal * 100).toFixed(0)}%) while mean latency grew ${figure(ref.meanLatencyMs)} -> ${figure(cur.meanLatencyMs)} ms`,
  };
}
