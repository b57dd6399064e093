// Issue 2 "done when": against real HTTP servers on 127.0.0.1, with bounded load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDemoTarget, type SpawnedDemoTarget } from '../../src/demo/spawn-demo-target.js';
import { runScenario } from '../../src/runner/run.js';
import { runCli } from '../../src/cli/program.js';
import { falseStop, fastScenario } from '../helpers/scenarios.js';
import { measurePlateau } from '../helpers/plateau.js';
import { EXIT } from '../../src/errors.js';

describe('a target of known capacity (8 slots x 8 ms = 1000 req/s, child process)', () => {
  let target: SpawnedDemoTarget;
  beforeAll(async () => {
    target = await spawnDemoTarget(8, 8);
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('the critical point lands within -20%/+5% of the closed-loop plateau measured in the same test', async () => {
    const plateau = await measurePlateau(`${target.url}/work`, 64, 4);
    expect(plateau / target.capacity).toBeGreaterThan(0.9);
    const { result } = await runScenario(fastScenario(target.url));
    expect(result.stopReason).toBe('breach');
    const cp = result.criticalPoint!;
    expect(cp.resolution).toBeLessThanOrEqual(0.05 + 1e-9);
    const ratio = cp.value / plateau;
    console.log(`plateau ${plateau.toFixed(0)} req/s, critical point ${cp.value} req/s (${((ratio - 1) * 100).toFixed(1)}%), breached by ${cp.signals.map((s) => s.signal).join(', ')}`);
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.05);
    // Windows and steps are all there, baseline learned on >= 16 windows.
    expect(result.baseline!.windows).toBeGreaterThanOrEqual(16);
    expect(result.steps.some((s) => s.phase === 'refine')).toBe(true);
    expect(result.exitCode).toBe(EXIT.breach);
  });
});

describe('a target whose capacity is far above the ramp (200 slots x 5 ms = 40000 req/s)', () => {
  let target: SpawnedDemoTarget;
  beforeAll(async () => {
    target = await spawnDemoTarget(200, 5);
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('ends completed with no false stop', async () => {
    const { result, runDir } = await runScenario(fastScenario(target.url, { load: { end: 1200 } }));
    expect(result.stopReason).toBe('completed');
    expect(result.criticalPoint).toBeNull();
    expect(result.lastPass).toBe(1200);
    expect(falseStop(result)).toBeNull();
    expect(result.exitCode).toBe(EXIT.completed);
    expect(result.files).toEqual(expect.arrayContaining(['summary.json', 'windows.csv', 'steps.csv']));
    expect(runDir).toBeTruthy();
  });
});

describe('bad input and dead targets send nothing', () => {
  let server: http.Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('an invalid scenario lists every problem with its dot path and sends no request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'critpoint-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `name: bad\ntarget: { url: ${url} }\nload:\n  start: -5\n  strat: 3\n  stepDuration: soon\ndetect: { k: 0 }\nhttp: { method: FETCH }\n`);
    let err = '';
    const code = await runCli(['run', file, '--quiet'], { stdout: () => undefined, stderr: (s) => (err += s), env: {} });
    expect(code).toBe(EXIT.invalid);
    for (const path of ['load.start', 'load.strat', 'load.stepDuration', 'detect.k', 'http.method']) expect(err).toContain(`${path}: `);
    expect(err).toMatch(/5 problems/);
    expect(requests).toBe(0);
  });

  it('a target refusing connections fails the preflight fast with the URL and the error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const t0 = Date.now();
    const { result } = await runScenario(fastScenario(deadUrl));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(result.stopReason).toBe('target-unreachable');
    expect(result.stopDetail).toContain(deadUrl);
    expect(result.stopDetail).toMatch(/ECONNREFUSED/);
    expect(result.exitCode).toBe(EXIT.targetUnreachable);
    expect(result.steps).toHaveLength(0);
  });
});
