import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario, ScenarioInput } from '../../src/scenario/schema.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A short, fast scenario for tests on a 2-core machine: 500 ms windows, 2 s steps. */
export function fastScenario(url: string, over: { load?: Record<string, unknown>; detect?: Record<string, unknown>; http?: Record<string, unknown>; name?: string } = {}): Scenario {
  const input = {
    name: over.name ?? 'test',
    target: { url },
    http: { method: 'GET', path: '/work', timeout: '3s', ...over.http },
    load: { start: 400, end: 3000, growth: { factor: 1.4 }, stepDuration: '2s', warmup: '1s', baselineWindows: 16, drain: '300ms', maxDuration: '2m', maxInFlight: 400, ...over.load },
    detect: { window: '500ms', minRequests: 150, ...over.detect },
    report: { dir: mkdtempSync(join(tmpdir(), 'critpoint-test-')) },
  } as ScenarioInput;
  return resolveScenario(input);
}
