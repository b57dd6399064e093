// The pure parts of the reliability mechanisms: the target watchdog's verdict,
// the thin-step rule, the coarse ramp's cap, report-write failures and problem lines.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LivenessTracker, TargetWatchdog } from '../../src/runner/target-watchdog.js';
import { judgeThinStep } from '../../src/detector/thin-step.js';
import { writeReports } from '../../src/runner/outputs.js';
import { dotPath, renderGot } from '../../src/scenario/format-issues.js';
import { rampLoads } from '../../src/load/ramp-plan.js';
import type { DetectConfig } from '../../src/detector/signals.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { estimateNesting } from '../../src/scenario/nesting-scan.js';
import type { ScenarioError } from '../../src/errors.js';
import { win } from '../helpers/windows.js';
import { demoRun } from '../helpers/report-fixtures.js';

describe('LivenessTracker: a dead target is silence plus connection errors only', () => {
  const cases: { name: string; events: ['response' | string, number][]; now: number; dead: boolean }[] = [
    {
      name: 'connection errors after 1 s of silence',
      events: [
        ['response', 100],
        ['connection', 300],
        ['connection', 900],
      ],
      now: 1_150,
      dead: true,
    },
    {
      name: 'silence not long enough yet',
      events: [
        ['response', 100],
        ['connection', 300],
      ],
      now: 1_050,
      dead: false,
    },
    { name: 'silence without any error (low rate, slow target)', events: [['response', 100]], now: 5_000, dead: false },
    {
      name: 'a response resets the count',
      events: [
        ['connection', 50],
        ['response', 900],
        ['connection', 1_000],
      ],
      now: 1_800,
      dead: false,
    },
    {
      name: 'timeouts mean a hanging target, not a dead one',
      events: [
        ['response', 0],
        ['connection', 200],
        ['timeout', 400],
      ],
      now: 3_000,
      dead: false,
    },
    {
      name: 'no response ever since the step started',
      events: [
        ['connection', 10],
        ['connection', 20],
      ],
      now: 1_001,
      dead: true,
    },
    {
      name: 'gRPC UNAVAILABLE is a connection error (the channel has no server)',
      events: [
        ['response', 100],
        ['grpc-UNAVAILABLE', 300],
      ],
      now: 1_150,
      dead: true,
    },
    {
      name: 'gRPC DEADLINE_EXCEEDED is a hanging target, not a dead one',
      events: [
        ['response', 100],
        ['grpc-UNAVAILABLE', 300],
        ['grpc-DEADLINE_EXCEEDED', 400],
      ],
      now: 3_000,
      dead: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = new LivenessTracker(0);
      for (const [kind, at] of c.events) {
        if (kind === 'response') t.response(at);
        else t.failed(kind, at);
      }
      const v = t.verdict(c.now, 1_000);
      expect(v !== null).toBe(c.dead);
      if (v) expect(v).toMatch(/only connection errors/);
    });
  }
  it('the watchdog calls back once, from its own timer', async () => {
    let clock = 0;
    const calls: string[] = [];
    const w = new TargetWatchdog({ now: () => clock, silenceMs: 50, checkMs: 5, onUnreachable: (d) => calls.push(d) });
    w.failed('connection', 1);
    clock = 60;
    await new Promise((r) => setTimeout(r, 40));
    clock = 200;
    await new Promise((r) => setTimeout(r, 40));
    w.stop();
    expect(calls).toHaveLength(1);
  });
});

describe('judgeThinStep: too few answers to fill `confirm` windows is not a pass', () => {
  const cfg = { confirm: 2, throughput: { enabled: true, minRatio: 0.95 } } as DetectConfig;
  it('a step of only sparse windows with few answers breaches throughput', () => {
    const b = judgeThinStep([win({ sparse: true, index: 7 })], { sent: 1_000, completed: 3, achievedRate: 1.5 }, 500, cfg);
    expect(b?.signal).toBe('throughput');
    expect(b?.reason).toMatch(/3 of 1000 requests answered/);
  });
  it('a short step whose requests were all answered passes', () => {
    expect(judgeThinStep([win({ sparse: true })], { sent: 100, completed: 100, achievedRate: 499 }, 500, cfg)).toBeNull();
  });
  it('a step with `confirm` evaluable windows is left to the window rules', () => {
    expect(judgeThinStep([win(), win()], { sent: 1_000, completed: 0, achievedRate: 0 }, 500, cfg)).toBeNull();
  });
  it('nothing sent, nothing judged; throughput disabled, nothing judged', () => {
    expect(judgeThinStep([], { sent: 0, completed: 0, achievedRate: 0 }, 500, cfg)).toBeNull();
    expect(judgeThinStep([], { sent: 10, completed: 0, achievedRate: 0 }, 500, { ...cfg, throughput: { enabled: false, minRatio: 0.95 } })).toBeNull();
  });
});

describe('the coarse ramp and load.maxRate', () => {
  it('a coarse ramp never rounds above load.end (the default load.maxRate)', () => {
    for (const [start, end, growth] of [
      [100, 1009, { step: 907 }],
      [100, 1004, { factor: 1.5 }],
      [7, 1003, { factor: 1.43 }],
    ] as const) {
      const loads = rampLoads(start, end, growth);
      expect(Math.max(...loads)).toBeLessThanOrEqual(end);
      expect(loads[loads.length - 1]).toBe(end);
    }
  });
});

describe('writeReports: a failing format says where and does not stop the others', () => {
  it('names the path that could not be written and keeps going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'critpoint-wr-'));
    // A directory where windows.csv's temp file would go: the CSV write fails, summary.json still lands.
    mkdirSync(join(dir, 'windows.csv'));
    const result = await demoRun();
    const out = await writeReports(result, dir, ['json', 'csv']);
    expect(out.files).toEqual(['summary.json']);
    expect(out.failures).toHaveLength(1);
    expect(out.failures[0]).toContain(join(dir, 'windows.csv'));
    expect(result.warnings).toEqual(out.failures);
  });
});

describe('problem lines stay one parseable line', () => {
  it('odd keys are quoted, values rendered on one line', () => {
    expect(dotPath(['load', 'a.b'])).toBe('load."a.b"');
    expect(dotPath(['http', 'line\nbreak'])).toBe('http."line\\nbreak"');
    expect(dotPath(['', 0])).toBe('"".0');
    expect(renderGot(10n)).toBe('"10n"');
    expect(renderGot({ a: 'x\ny' })).toBe('{"a":"x\\ny"}');
  });
});

describe('hostile scenario text is refused before the parser recurses into it', () => {
  const deep: [string, string][] = [
    ['flow YAML, 100k levels', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['flow mappings, 50k levels', `${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}`],
    ['block YAML, 1000 indentation levels', Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
    ['sequence markers, 400 on a line', `${'- '.repeat(400)}x`],
  ];
  for (const [name, text] of deep) {
    it(`${name}: one clear problem, fast`, () => {
      const t0 = performance.now();
      let problems: string[] = [];
      try {
        parseScenarioText(text, 'deep.yaml');
      } catch (err) {
        problems = (err as ScenarioError).problems;
      }
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^\(file\): nested deeper than 64 levels, got about \d+ levels$/);
      expect(performance.now() - t0).toBeLessThan(500);
    });
  }
  it('the estimate never undercounts a real document', () => {
    const text = 'a:\n  b:\n    - - - c\n    - d: "[[[[["\n    # [[[[\n  e: [1, {x: [2]}]\n';
    expect(estimateNesting(text)).toBeGreaterThanOrEqual(5);
    expect(estimateNesting(text)).toBeLessThan(10);
  });
});
