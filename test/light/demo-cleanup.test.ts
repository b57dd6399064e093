// What `critpoint demo` leaves behind on the built CLI (a real process, as a user or CI sees it): no
// child process and no open port, after a run that ends by itself, after SIGINT, SIGINT twice and
// SIGKILL. A light test: the demo's short runs send little load, and what is checked is what is left,
// not what the run found. Load stopping at a signal, its partial report and exit codes:
// test/integration/signals.test.ts.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/errors.js';
import { ensureBuilt, spawnCli, type CliProcess } from '../helpers/cli.js';
import { descendants, isRunning, portClosed, waitUntil } from '../helpers/processes.js';

let cli: CliProcess | undefined;
beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  cli = undefined;
});

describe('no child process and no open port left behind by `critpoint demo`', () => {
  async function startDemo(extra: string[] = []): Promise<{ c: CliProcess; url: string; child: number; out: string }> {
    const out = mkdtempSync(join(tmpdir(), 'critpoint-demo-'));
    const c = (cli = spawnCli(['demo', '--out', out, '--workers', '20', '--service-ms', '5', ...extra]));
    await c.waitFor(/demo target: .* at (http:\/\/\S+),/);
    const url = /demo target: .* at (http:\/\/\S+),/.exec(c.stderr())![1]!;
    const kids = descendants(c.pid);
    expect(kids).toHaveLength(1);
    expect(await portClosed(url)).toBe(false);
    return { c, url, child: kids[0]!, out };
  }

  it('after a run that completes', async () => {
    const sets = [
      'load.start=300',
      'load.end=450',
      'load.stepDuration=1s',
      'load.warmup=500ms',
      'load.baselineWindows=5',
      'detect.window=500ms',
      'detect.minRequests=100',
      'detect.generator.maxSendLag=100ms',
    ].flatMap((s) => ['--set', s]);
    const { c, url, child, out } = await startDemo(sets);
    const { code } = await c.exited;
    // Whatever the run found (the demo target is far above this ramp; a busy machine may still stall it).
    expect([EXIT.completed, EXIT.breach, EXIT.generatorLimited]).toContain(code);
    expect(existsSync(out)).toBe(true);
    expect(await waitUntil(() => !isRunning(child), 5_000)).toBe(true);
    expect(await portClosed(url)).toBe(true);
  });

  for (const how of ['SIGINT', 'SIGINT twice', 'SIGKILL'] as const) {
    it(`after ${how} of the CLI`, async () => {
      const { c, url, child } = await startDemo();
      await new Promise((r) => setTimeout(r, 1_000));
      if (how === 'SIGKILL') c.child.kill('SIGKILL');
      else {
        c.child.kill('SIGINT');
        if (how === 'SIGINT twice') {
          await c.waitFor(/SIGINT: stopping load/);
          c.child.kill('SIGINT');
        }
      }
      const { code } = await c.exited;
      expect(code).toBe(how === 'SIGKILL' ? 137 : EXIT.sigint);
      expect(await waitUntil(() => !isRunning(child), 5_000)).toBe(true);
      expect(await portClosed(url)).toBe(true);
    });
  }
});
