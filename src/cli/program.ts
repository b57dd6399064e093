// The command line, built by an exported function so tests parse argv in
// process. The only place that prints for humans and sets exit codes.
import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadScenarioFile } from '../scenario/load.js';
import { scenarioSchema, type Scenario } from '../scenario/schema.js';
import { runScenario } from '../runner/run.js';
import { CritpointError, EXIT } from '../errors.js';
import { humanSummary, progressLine } from './human-summary.js';
import { summaryOf } from '../reporters/json/json-reporter.js';
import { spawnDemoTarget } from '../demo/spawn-demo-target.js';
import { summarizePlan } from '../load/ramp-plan.js';
import { formatDuration } from '../scenario/duration.js';
import { critpointVersion } from '../runner/environment.js';
import type { ProgressEvent } from '../types.js';
import { redactScenario } from '../scenario/secrets.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Set by signal handlers in main.ts. */
  signal?: AbortSignal;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function planText(s: Scenario): string {
  const p = summarizePlan(s);
  return [
    `plan for ${s.name} against ${s.target.url}:`,
    `  baseline: ${p.baselineLoad} req/s for ${formatDuration(p.baselineMs)} (warm-up ${formatDuration(s.load.warmup)} + ${s.load.baselineWindows} windows)`,
    `  ramp: ${p.rampLoads.join(', ')} req/s, ${formatDuration(p.stepMs)} each, ${formatDuration(s.load.drain)} drain between steps`,
    `  refine: up to ${p.refineSteps} bisection steps of ${formatDuration(p.refineStepMs)} to a resolution of ${(s.load.refine.resolution * 100).toFixed(1)}%`,
    `  duration: at least ${formatDuration(p.coarseMs)} before refinement, at most ${formatDuration(Math.min(p.worstCaseMs, s.load.maxDuration))} (cap load.maxDuration ${formatDuration(s.load.maxDuration)})`,
    `  requests: up to ${p.coarseRequests} before refinement, at most ${Math.min(p.worstCaseRequests, s.load.maxRequests)} in all (cap load.maxRequests ${s.load.maxRequests}); in flight at most ${s.load.maxInFlight}`,
    `  caps: load.maxRate ${s.load.maxRate ?? s.load.end} req/s, load.maxInFlight ${s.load.maxInFlight}, load.maxDuration ${formatDuration(s.load.maxDuration)}, load.maxRequests ${s.load.maxRequests}`,
  ].join('\n');
}

/** Exit code of the action that ran (commander does not keep action results). */
export interface CliState {
  exitCode: number;
}

export function buildProgram(io: CliIO, state: CliState = { exitCode: 0 }): Command {
  const program = new Command();
  // Each action returns its exit code; this records it.
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) =>
    async (...args: A) => {
      state.exitCode = await fn(...args);
    };
  program
    .name('critpoint')
    .description("Finds a service's performance critical point: ramps load, learns a baseline, stops the moment the target breaks it.")
    .version(critpointVersion())
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError();

  const progress = (quiet: boolean) => (e: ProgressEvent) => {
    if (quiet) return;
    const line = progressLine(e);
    if (line) io.stderr(`${line}\n`);
  };

  const execute = async (s: Scenario, o: { json?: boolean; quiet?: boolean }, extra?: (r: Awaited<ReturnType<typeof runScenario>>) => string) => {
    const outcome = await runScenario(s, { env: io.env, signal: io.signal, onProgress: progress(Boolean(o.quiet)) });
    if (!o.quiet) io.stderr(`\n${humanSummary(outcome.result, outcome.runDir)}\n${extra ? `${extra(outcome)}\n` : ''}`);
    if (o.json) io.stdout(`${JSON.stringify(summaryOf(outcome.result))}\n`);
    return outcome.result.exitCode;
  };

  program
    .command('run')
    .description('run a scenario against its target and find the critical point')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--target <url>', 'override target.url')
    .option('--set <path=value>', 'override any field, e.g. --set load.end=5000 (repeatable)', collect, [])
    .option('--out <dir>', 'results folder (overrides report.dir)')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--quiet', 'no progress on stderr')
    .option('--dry-run', 'print the resolved plan and send nothing')
    .action(
      act(async (file: string, o: { target?: string; set: string[]; out?: string; json?: boolean; quiet?: boolean; dryRun?: boolean }) => {
      const sets = o.out ? [...o.set, `report.dir=${JSON.stringify(o.out)}`] : o.set;
      const s = await loadScenarioFile(file, { target: o.target, sets, env: io.env });
      if (o.dryRun) {
        io.stderr(`${planText(s)}\n`);
        if (o.json) io.stdout(`${JSON.stringify({ scenario: redactScenario(s), plan: summarizePlan(s) })}\n`);
        return EXIT.breach;
      }
      return execute(s, o);
    }),
    );

  program
    .command('validate')
    .description('check a scenario and print its plan; sends nothing')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--target <url>', 'override target.url')
    .option('--set <path=value>', 'override any field (repeatable)', collect, [])
    .option('--json', 'print the resolved scenario as JSON on stdout')
    .action(
      act(async (file: string, o: { target?: string; set: string[]; json?: boolean }) => {
      const s = await loadScenarioFile(file, { target: o.target, sets: o.set });
      io.stderr(`${file}: valid\n${planText(s)}\n`);
      if (o.json) io.stdout(`${JSON.stringify(redactScenario(s))}\n`);
      return 0;
    }),
    );

  program
    .command('schema')
    .description('print the JSON Schema of the scenario format (for editors)')
    .action(
      act(() => {
      io.stdout(`${JSON.stringify(z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`);
      return 0;
    }),
    );

  program
    .command('demo')
    .description('start the embedded demo target (known capacity) and find its critical point')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--quiet', 'no progress on stderr')
    .option('--out <dir>', 'results folder', 'results')
    .option('--set <path=value>', 'override a field of the demo scenario (repeatable)', collect, [])
    .addOption(new Option('--workers <n>', 'demo target slots').default('10').hideHelp())
    .addOption(new Option('--service-ms <ms>', 'demo target service time per request').default('10').hideHelp())
    .action(
      act(async (o: { json?: boolean; quiet?: boolean; out: string; set: string[]; workers: string; serviceMs: string }) => {
      const target = await spawnDemoTarget(Number(o.workers), Number(o.serviceMs));
      try {
        const file = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));
        const s = await loadScenarioFile(file, { target: target.url, sets: [...o.set, `report.dir=${JSON.stringify(o.out)}`], env: io.env });
        if (!o.quiet) io.stderr(`demo target: ${target.workers} slots x ${target.serviceMs} ms at ${target.url}, known capacity ${target.capacity} req/s\n`);
        return await execute(s, o, ({ result }) => {
          const cp = result.criticalPoint;
          return cp
            ? `demo: critical point found ${cp.value} req/s; the demo target's known capacity is ${target.capacity} req/s (${((cp.value / target.capacity - 1) * 100).toFixed(1)}%)`
            : `demo: no critical point found (${result.stopReason}); the demo target's known capacity is ${target.capacity} req/s`;
        });
      } finally {
        await target.stop();
      }
    }),
    );

  return program;
}

/** Parses argv and runs; returns the exit code. Errors become exit codes here and only here. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const state: CliState = { exitCode: 0 };
  const program = buildProgram(io, state);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT.invalid;
    }
    if (err instanceof CritpointError) {
      io.stderr(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return err.exitCode;
    }
    io.stderr(`internal error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.error;
  }
}
