// The results folder: unwritable before the run (checked before any load,
// exit 6, not one request sent), gone or full during the run (the in-memory
// result is kept and the warning says where it could not write).
// Tests run as root, so chmod cannot make a folder unwritable: a path under a
// regular file gives ENOTDIR, a folder replaced by a file mid-run gives
// ENOTDIR, and temp files symlinked to /dev/full give a real ENOSPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run.js';
import { EXIT } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/types.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { fastScenario } from '../helpers/scenarios.js';
import { BUSY_MACHINE_GENERATOR, startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';
import { ensureBuilt, onlyRunDir, spawnCli } from '../helpers/cli.js';

let target: FaultTarget;
beforeAll(async () => {
  ensureBuilt();
  target = await startFaultTarget({ serviceMs: 2 });
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

/** A short scenario writing into `dir`. */
function short(dir: string, name: string) {
  // The baseline only, at a low rate: the claims are about writing the outputs, not about the ramp.
  const s = fastScenario(target.url, {
    name,
    load: { start: 100, end: 100, baselineWindows: 5 },
    detect: { minRequests: 20, generator: BUSY_MACHINE_GENERATOR },
  });
  return resolveScenario({ ...structuredClone(s), report: { dir, formats: ['json', 'csv'] } });
}

/**
 * Runs `act(runDir)` once the baseline step has ended (mid-run: the outputs are written at the end),
 * whatever its outcome: on a busy machine the run may stop there, generator-limited.
 */
function midRun(dir: string, name: string, act: (runDir: string) => void) {
  let done = false;
  return (e: ProgressEvent) => {
    if (e.type === 'step-end' && !done) {
      done = true;
      act(onlyRunDir(dir, name));
    }
  };
}

describe('results folder not writable before the run', () => {
  it('the CLI exits 6 naming the folder, and sends not one request (no preflight either)', async () => {
    const base = mkdtempSync(join(tmpdir(), 'critpoint-nowrite-'));
    const file = join(base, 'a-file');
    writeFileSync(file, 'not a folder');
    const scenario = join(base, 's.yaml');
    writeFileSync(scenario, `name: nowrite\ntarget: { url: ${target.url} }\nreport: { dir: ${JSON.stringify(join(file, 'results'))} }\n`);
    const before = (await target.stats()).requests;
    const cli = spawnCli(['run', scenario]);
    const { code } = await cli.exited;
    expect(code).toBe(EXIT.notWritable);
    expect(cli.stderr()).toContain(join(file, 'results', 'nowrite'));
    expect(cli.stderr()).toMatch(/not writable: ENOTDIR/);
    expect((await target.stats()).requests).toBe(before);
  });
});

describe('results folder fails during the run', () => {
  it('folder replaced by a file: the result is returned in memory, the warning names where it could not write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'critpoint-gone-'));
    let runDir = '';
    const onProgress = midRun(dir, 'gone', (d) => {
      runDir = d;
      rmSync(d, { recursive: true });
      writeFileSync(d, 'the run folder is now a file');
    });
    const { result } = await runScenario(short(dir, 'gone'), { onProgress });
    expect(runDir).not.toBe('');
    // Whatever the run found (a light test asserts no outcome a busy machine can change): the outputs are the claim.
    expect(['completed', 'breach', 'generator-limited']).toContain(result.stopReason);
    expect(result.windows.length).toBeGreaterThanOrEqual(5);
    expect(result.files).toEqual([]);
    const warn = result.warnings.filter((w) => w.startsWith('could not write'));
    expect(warn).toEqual(expect.arrayContaining([expect.stringContaining(join(runDir, 'summary.json')), expect.stringContaining(join(runDir, 'windows.csv'))]));
    expect(warn.every((w) => /ENOTDIR/.test(w) && /kept in memory/.test(w))).toBe(true);
  });

  it('disk full (ENOSPC) writing summary.json: the warning names it, the CSVs are still written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'critpoint-full-'));
    let runDir = '';
    const onProgress = midRun(dir, 'full', (d) => {
      runDir = d;
      symlinkSync('/dev/full', join(d, `summary.json.tmp-${process.pid}`));
    });
    const { result } = await runScenario(short(dir, 'full'), { onProgress });
    expect(['completed', 'breach', 'generator-limited']).toContain(result.stopReason);
    const warn = result.warnings.filter((w) => w.startsWith('could not write'));
    expect(warn).toEqual([`could not write the json report to ${join(runDir, 'summary.json')} (ENOSPC); the result is kept in memory`]);
    expect(result.files).toEqual(['windows.csv', 'steps.csv']);
    // The failed temp file is cleaned up: no half-written summary is left behind.
    expect(readdirSync(runDir).sort()).toEqual(['steps.csv', 'windows.csv']);
    expect(result.windows.length).toBeGreaterThanOrEqual(5);
  });
});
