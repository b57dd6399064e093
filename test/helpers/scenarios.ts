import { resolveScenario, type LoadOptions } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/errors.js';
import type { Scenario, ScenarioInput } from '../../src/scenario/schema.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * These test VMs stall a whole process now and then: an idle Node process measured event-loop delay
 * p99 3-4 ms and max 7-26 ms (2026-11-22, nothing else running). Tests that are not about the
 * generator allow 25 ms of send lag and two repeats of a lagging step; the p99 signal is read net
 * of the send lag, so a stall cannot fake a latency breach either way.
 */
const TEST_GENERATOR = { maxSendLag: '25ms', retries: 2 };

/**
 * A short, fast scenario for tests on a 2-core machine: 500 ms windows, 1.5 s steps (three windows:
 * one more than detect.confirm needs, for the window in which a queue starts to build), an 8-window
 * baseline (4 s) after a 500 ms warm-up, and a 100 ms pause between steps (load.drain: it starts once
 * the step's in-flight requests are done, and the test targets hold no other queue). The p99 floor
 * (detect.p99.minRatio 2) bounds the threshold, so a baseline of 8 windows does not make a false stop
 * likelier; the accuracy test (http-ramp) learns on 12.
 */
export function fastScenario(
  url: string,
  over: { load?: Record<string, unknown>; detect?: Record<string, unknown>; http?: Record<string, unknown>; name?: string } = {},
): Scenario {
  const input = {
    name: over.name ?? 'test',
    target: { url },
    http: { method: 'GET', path: '/work', timeout: '3s', ...over.http },
    load: {
      start: 400,
      end: 3000,
      growth: { factor: 1.4 },
      stepDuration: '1500ms',
      warmup: '500ms',
      baselineWindows: 8,
      drain: '100ms',
      maxDuration: '2m',
      maxInFlight: 400,
      ...over.load,
    },
    detect: {
      window: '500ms',
      minRequests: 150,
      ...over.detect,
      generator: { ...TEST_GENERATOR, ...(over.detect?.generator as Record<string, unknown> | undefined) },
    },
    report: { dir: mkdtempSync(join(tmpdir(), 'critpoint-test-')) },
  } as ScenarioInput;
  return resolveScenario(input);
}

/**
 * A run with no false stop: it completed, and at every load its last attempt passed. A first attempt
 * may stay in the step table as generator-limited (repeated, detect.generator.retries) or as a p99
 * breach that did not come back (detect.recheck): that is the method absorbing a stall of this VM,
 * not a stop. Returns what went wrong, or null.
 */
export function falseStop(result: {
  stopReason: string;
  stopDetail: string;
  steps: { load: number; outcome: string; phase: string }[];
  warnings: string[];
}): string | null {
  if (result.stopReason !== 'completed') return `stopped ${result.stopReason}: ${result.stopDetail}`;
  const last = new Map<number, string>();
  for (const st of result.steps) if (st.phase !== 'baseline') last.set(st.load, st.outcome);
  const failed = [...last].filter(([, outcome]) => outcome !== 'pass');
  if (failed.length > 0)
    return `last attempt did not pass at ${failed.map(([load, o]) => `${load} (${o})`).join(', ')}; warnings: ${result.warnings.join(' | ')}`;
  return null;
}

/** The problems resolveScenario reports for `data` (one `<dot.path>: <what is wrong>, got <value>` each), [] when it is valid. */
export function scenarioProblems(data: unknown, opts: LoadOptions = {}): string[] {
  try {
    resolveScenario(data, opts);
    return [];
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
}
