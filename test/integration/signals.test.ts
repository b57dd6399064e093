// SIGINT / SIGTERM on the built CLI during a run (a real process, as a user or
// CI sees it): load stops at once, a partial report, the documented exit code.
// What `critpoint demo` leaves behind (no child process, no open port) is
// test/light/demo-cleanup.test.ts.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/errors.js';
import { BUSY_MACHINE_GENERATOR_YAML, startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';
import { ensureBuilt, onlyRunDir, spawnCli, type CliProcess } from '../helpers/cli.js';

let target: FaultTarget | undefined;
let cli: CliProcess | undefined;
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  cli = undefined;
  await target?.stop();
  target = undefined;
});

function scenarioFile(url: string, name: string, extra = ''): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `critpoint-${name}-`));
  const file = join(dir, 's.yaml');
  writeFileSync(
    file,
    `name: ${name}\ntarget: { url: ${url} }\nhttp: { path: /work${extra} }\nload: { start: 300, end: 3000, growth: { factor: 1.4 }, stepDuration: 2s, warmup: 500ms, baselineWindows: 10, drain: 300ms, maxInFlight: 400 }\ndetect: { window: 500ms, minRequests: 150, ${BUSY_MACHINE_GENERATOR_YAML} }\nreport: { dir: ${JSON.stringify(dir)} }\n`,
  );
  return { file, dir };
}

describe('signals during a run', () => {
  for (const [sig, code] of [
    ['SIGINT', EXIT.sigint],
    ['SIGTERM', EXIT.sigterm],
  ] as const) {
    it(`${sig}: load stops, a partial report is written, exit ${code}`, async () => {
      target = await startFaultTarget({ serviceMs: 2 });
      const { file, dir } = scenarioFile(target.url, `sig-${sig.toLowerCase()}`);
      const c = (cli = spawnCli(['run', file]));
      await c.waitFor(/\[baseline\]/);
      // The 500 ms warm-up's window and about two of the baseline's: a partial report with windows in it.
      await new Promise((r) => setTimeout(r, 1_500));
      const sentAt = performance.now();
      c.child.kill(sig);
      const { code: exit, at } = await c.exited;
      const before = (await target.stats()).requests;
      await new Promise((r) => setTimeout(r, 300));
      const after = (await target.stats()).requests;
      console.log(`${sig}: exit ${exit} ${(at - sentAt).toFixed(0)} ms after the signal`);
      expect(exit).toBe(code);
      expect(at - sentAt).toBeLessThan(3_000);
      expect(after).toBe(before);
      expect(c.stderr()).toContain(`${sig}: stopping load`);
      const runDir = onlyRunDir(dir, `sig-${sig.toLowerCase()}`);
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
      expect(summary.stopReason).toBe('interrupted');
      expect(summary.stopDetail).toContain(sig);
      expect(summary.exitCode).toBe(code);
      expect(summary.windowCount).toBeGreaterThan(2);
      const rows = readFileSync(join(runDir, 'windows.csv'), 'utf8').trim().split('\n').length - 1;
      expect(rows).toBe(summary.windowCount);
    });
  }

  it('a second SIGINT exits at once, without waiting for hanging requests to drain', async () => {
    target = await startFaultTarget({ serviceMs: 2 });
    const t = target;
    // http.timeout 10 s: after the first SIGINT the runner would wait up to 5 s for in-flight requests.
    const { file } = scenarioFile(t.url, 'sig-twice');
    writeFileSync(file, readFileSync(file, 'utf8').replace('path: /work', 'path: /work, timeout: 10s'));
    const c = (cli = spawnCli(['run', file]));
    await c.waitFor(/\[baseline\]/);
    await new Promise((r) => setTimeout(r, 1_500));
    t.toggleHang();
    await new Promise((r) => setTimeout(r, 500));
    c.child.kill('SIGINT');
    await c.waitFor(/SIGINT: stopping load/);
    await new Promise((r) => setTimeout(r, 200));
    const secondAt = performance.now();
    c.child.kill('SIGINT');
    const { code, at } = await c.exited;
    console.log(`second SIGINT: exit ${code} ${(at - secondAt).toFixed(0)} ms after it`);
    expect(code).toBe(EXIT.sigint);
    expect(at - secondAt).toBeLessThan(1_000);
    expect(c.stderr()).toMatch(/second SIGINT: exiting now/);
  });
});
