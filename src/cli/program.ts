// The command line, built by an exported function so tests parse argv in
// process. The only place that prints for humans and sets exit codes.
import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenarioFile, runTimeEnvProblems, type ScenarioInput } from '../scenario/load.js';
import { scenarioJsonSchema, type Scenario } from '../scenario/schema.js';
import { runScenario } from '../runner/run.js';
import { CritpointError, EXIT } from '../errors.js';
import { humanSummary } from './human-summary.js';
import { createProgress } from './progress.js';
import { summaryOf } from '../reporters/json/json-reporter.js';
import { summaryJsonSchema } from '../result/summary-schema.js';
import { rerenderRunFolder } from '../reporters/rerender.js';
import { REPORT_FILE } from '../reporters/html/html-report.js';
import { spawnDemoTarget } from '../demo/spawn-demo-target.js';
import { summarizePlan } from '../load/ramp-plan.js';
import { unitWords } from '../load/concurrency-ramp.js';
import { formatDuration } from '../scenario/duration.js';
import { critpointVersion } from '../runner/environment.js';
import { registerK6Commands } from './k6-commands.js';
import { addCompareCommand } from './compare-command.js';
import { addGateCommand } from './gate-command.js';
import { addInitCommand } from './init-command.js';
import { redactScenario } from '../scenario/secrets.js';
import { requestPlanLines } from '../requests/config.js';
import { loadRunScenario, type RequestFlags } from '../scenario/from-url.js';
import { isGrpcUrl } from '../scenario/grpc-schema.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Set by signal handlers in main.ts. */
  signal?: AbortSignal;
  /** stderr is a terminal: progress is a live view instead of one line per step. */
  stderrIsTTY?: boolean;
  /** Terminal width of stderr, when known. */
  stderrColumns?: () => number | undefined;
  /** Where a `-` scenario argument is read from. Default process.stdin. */
  stdin?: ScenarioInput;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function planText(s: Scenario): string {
  const p = summarizePlan(s);
  const unit = unitWords(s.load.mode, s.grpc !== undefined);
  const requests =
    p.coarseRequests === null || p.worstCaseRequests === null
      ? `closed loop: as many as the target answers (cap load.maxRequests ${s.load.maxRequests} over the run)`
      : `up to ${p.coarseRequests} before refinement, at most ${Math.min(p.worstCaseRequests, s.load.maxRequests)} in all (cap load.maxRequests ${s.load.maxRequests})`;
  return [
    `plan for ${s.name} against ${s.target.url}:`,
    ...(s.grpc ? [`  call: gRPC /${s.grpc.service}/${s.grpc.method}, deadline ${formatDuration(s.grpc.deadline)}, over ${s.grpc.channels} channel(s)`] : []),
    ...requestPlanLines(s),
    `  baseline: ${p.baselineLoad} ${unit} for ${formatDuration(p.baselineMs)} (warm-up ${formatDuration(s.load.warmup)} + ${s.load.baselineWindows} windows)`,
    `  ramp: ${p.rampLoads.join(', ')} ${unit}, ${formatDuration(p.stepMs)} each, ${formatDuration(s.load.drain)} drain between steps`,
    `  refine: up to ${p.refineSteps} bisection steps of ${formatDuration(p.refineStepMs)} to a resolution of ${(s.load.refine.resolution * 100).toFixed(1)}%`,
    `  duration: at least ${formatDuration(p.coarseMs)} before refinement, at most ${formatDuration(Math.min(p.worstCaseMs, s.load.maxDuration))} (cap load.maxDuration ${formatDuration(s.load.maxDuration)})`,
    `  requests: ${requests}; in flight at most ${s.load.maxInFlight}`,
    `  caps: load.maxRate ${s.load.maxRate ?? s.load.end} ${unit}, load.maxInFlight ${s.load.maxInFlight}, load.maxDuration ${formatDuration(s.load.maxDuration)}, load.maxRequests ${s.load.maxRequests}`,
  ].join('\n');
}

/** Exit code of the action that ran (commander does not keep action results). */
export interface CliState {
  exitCode: number;
}

/** Wraps an action that returns its exit code (commands in their own modules take it). */
export type Act = <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) => (...args: A) => Promise<void>;

export function buildProgram(io: CliIO, state: CliState = { exitCode: 0 }): Command {
  const program = new Command();
  // Each action returns its exit code; this records it.
  const act: Act =
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

  const execute = async (
    s: Scenario,
    o: { json?: boolean; quiet?: boolean; captureAtEnd?: boolean },
    extra?: (r: Awaited<ReturnType<typeof runScenario>>) => string,
  ) => {
    const progress = createProgress(io, s, Boolean(o.quiet));
    const outcome = await runScenario(s, { env: io.env, signal: io.signal, captureAtEnd: o.captureAtEnd, onProgress: (e) => progress.onProgress(e) }).finally(
      () => progress.stop(),
    );
    const report = outcome.runDir && outcome.result.files.includes(REPORT_FILE) ? `report: ${join(outcome.runDir, REPORT_FILE)}\n` : '';
    if (!o.quiet) io.stderr(`\n${humanSummary(outcome.result, outcome.runDir)}\n${report}${extra ? `${extra(outcome)}\n` : ''}`);
    if (o.json) io.stdout(`${JSON.stringify(summaryOf(outcome.result))}\n`);
    return outcome.result.exitCode;
  };

  program
    .command('run')
    .description('run a scenario against its target and find the critical point')
    .argument('<scenario>', 'scenario file (YAML or JSON), or an http(s):// or grpc:// URL to run without a file')
    .option('-X, --method <method>', 'HTTP method (http.method)')
    .option('-H, --header <"Name: value">', 'request header, or gRPC metadata for a grpc:// target (repeatable)', collect, [])
    .option(
      '-d, --body <text|@file>',
      'request body (http.body; @file reads a file); a grpc:// target takes the request message as JSON (grpc.request). Without -X an HTTP request becomes a POST',
    )
    .option('-r, --rate <start:end>', 'first and highest step, e.g. 100:5000 (load.start:load.end); one number is the highest')
    .option('-z, --max-duration <duration>', "hard cap on the run's wall time (load.maxDuration), e.g. 5m")
    .option('--target <url>', 'override target.url')
    .option('--set <path=value>', 'override any field, e.g. --set load.end=5000 (repeatable)', collect, [])
    .option('--out <dir>', 'results folder (overrides report.dir)')
    .option('--engine <name>', 'load engine (overrides load.engine): http-open or k6')
    .option('--seed <integer>', 'seed of the request mix, random placeholders and poisson arrivals (overrides load.seed)')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--quiet', 'no progress on stderr')
    .option('--dry-run', 'print the resolved plan and send nothing')
    .option('--capture-at-end', 'capture runtime.capture evidence when the run ends, whatever its outcome (always done at a breach)')
    .addHelpText(
      'after',
      `
Without a file, a URL and the schema's defaults; the request flags override a scenario file the same way (before --set):
  critpoint run http://127.0.0.1:8080/work -r 100:2000 -z 5m --dry-run
  critpoint run https://staging.internal/api/items -H 'Authorization: Bearer \${env:API_TOKEN}' -d @item.json
  critpoint run grpc://127.0.0.1:9090/loadtarget.Work/Do --set grpc.proto=./work.proto -d '{"payload":"x"}'
  critpoint run scenario.yaml -r 5000 --set detect.k=4`,
    )
    .action(
      act(
        async (
          arg: string,
          o: RequestFlags & {
            target?: string;
            set: string[];
            out?: string;
            engine?: string;
            seed?: string;
            json?: boolean;
            quiet?: boolean;
            dryRun?: boolean;
            captureAtEnd?: boolean;
          },
        ) => {
          const sets = [
            ...o.set,
            ...(o.out ? [`report.dir=${JSON.stringify(o.out)}`] : []),
            ...(o.engine ? [`load.engine=${JSON.stringify(o.engine)}`] : []),
            ...(o.seed !== undefined ? [`load.seed=${o.seed}`] : []),
          ];
          const s = await loadRunScenario(arg, { ...o, sets, env: io.env, stdin: io.stdin });
          if (o.dryRun) {
            io.stderr(`${planText(s)}\n`);
            if (o.json) io.stdout(`${JSON.stringify({ scenario: redactScenario(s), plan: summarizePlan(s) })}\n`);
            return EXIT.breach;
          }
          return execute(s, o);
        },
      ),
    );

  program
    .command('validate')
    .description('check a scenario and print its plan; sends nothing')
    .argument('<scenario>', 'scenario file (YAML or JSON), or - to read it from stdin')
    .option('--target <url>', 'override target.url')
    .option('--set <path=value>', 'override any field (repeatable)', collect, [])
    .option('--json', 'print the resolved scenario as JSON on stdout')
    .action(
      act(async (file: string, o: { target?: string; set: string[]; json?: boolean }) => {
        const s = await loadScenarioFile(file, { target: o.target, sets: o.set, stdin: io.stdin });
        // Without grpc.proto the service description is the server's: ask it by reflection (one exchange, no load) and check the scenario against it.
        if (s.grpc && s.grpc.proto === undefined && isGrpcUrl(s.target.url)) {
          // Imported here: the gRPC client is loaded only when a scenario uses it (engines/registry.ts).
          const { describeGrpc, describeReflected } = await import('../engines/grpc/grpc-describe.js');
          io.stderr(`${describeReflected(await describeGrpc(s, io.env), s.grpc.service ?? '')}\n`);
        }
        // ${env:NAME} values belong to where the run happens: a missing one does not make the file invalid, but is named here, as run reports it.
        const needed = runTimeEnvProblems(s, io.env);
        const verdict = `${file === '-' ? 'stdin' : file}: valid\n${needed.length ? `needed at run time (not set here; run refuses to start without it):\n  ${needed.join('\n  ')}\n` : ''}`;
        // The verdict goes to stdout; with --json stdout holds only the JSON, and the verdict joins the plan on stderr.
        if (o.json) io.stderr(verdict);
        else io.stdout(verdict);
        io.stderr(`${planText(s)}\n`);
        if (o.json) io.stdout(`${JSON.stringify(redactScenario(s))}\n`);
        return 0;
      }),
    );

  program
    .command('schema')
    .description(
      'print the JSON Schema of the scenario format, each field with its description, default and unit (for editors), or with --summary of summary.json (for CI)',
    )
    .option('--summary', "print the JSON Schema of a run's summary.json instead")
    .action(
      act((o: { summary?: boolean }) => {
        const schema = o.summary ? summaryJsonSchema() : scenarioJsonSchema();
        io.stdout(`${JSON.stringify(schema, null, 2)}\n`);
        return 0;
      }),
    );

  program
    .command('report')
    .description('re-render report.html and summary.md of a saved run from its summary.json and CSVs; sends nothing')
    .argument('<run-dir>', 'run folder written by critpoint run (holds summary.json)')
    .option('--json', 'print the written files as JSON on stdout')
    .action(
      act(async (dir: string, o: { json?: boolean }) => {
        const out = await rerenderRunFolder(dir);
        for (const n of out.notes) io.stderr(`note: ${n}\n`);
        io.stderr(`${out.written.map((f) => `wrote ${join(out.dir, f)}`).join('\n')}\n`);
        if (o.json) io.stdout(`${JSON.stringify({ dir: out.dir, files: out.written })}\n`);
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

  registerK6Commands(program, io, state);
  addCompareCommand(program, io, act);
  addGateCommand(program, io, act);
  addInitCommand(program, io, act);

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
