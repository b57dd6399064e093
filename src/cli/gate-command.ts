// `critpoint gate`: gate a merge on the critical point's shift, by interleaved pairs of base and
// head runs (--base/--head) or one head run against a stored baseline (--baseline). Checks every
// option and path before any load, prints progress to stderr, writes the gate's files, and
// returns the gate's exit code (0 PASS, 10 BLOCK, 11 INCONCLUSIVE, 12 no verdict).
import { access, appendFile, constants, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadScenarioFile } from '../scenario/load.js';
import { ScenarioError } from '../errors.js';
import { prepareRunDir } from '../runner/outputs.js';
import { readRunSummary } from '../compare/run-file.js';
import { GateOptionsError } from '../compare/errors.js';
import { runInterleavedGate } from '../compare/gate-runner.js';
import { checkBaseline, runBaselineGate } from '../compare/baseline-gate-runner.js';
import { gateExitCode, type GateEvent, type GateOutcome } from '../compare/gate-outcome.js';
import { gateFile, writeGateOutputs } from '../compare/gate-outputs.js';
import { parseGateOptions, type RawGateOptions } from './gate-options.js';
import { progressLine } from './human-summary.js';
import type { Act, CliIO } from './program.js';
import { percent } from '../format/numbers.js';

interface GateFlags extends RawGateOptions {
  set: string[];
  out?: string;
  baseLabel?: string;
  headLabel?: string;
  summaryMd?: string;
  junit?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

async function writableProblems(o: GateFlags): Promise<string[]> {
  const problems: string[] = [];
  const check = async (opt: string, path: string | undefined, probe: (p: string) => Promise<unknown>) => {
    if (path === undefined) return;
    try {
      await probe(path);
    } catch (err) {
      problems.push(`${opt}: cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), got ${JSON.stringify(path)}`);
    }
  };
  await check('--summary-md', o.summaryMd, (p) => appendFile(p, ''));
  await check('--junit', o.junit, async (p) => {
    await mkdir(dirname(p), { recursive: true });
    await access(dirname(p), constants.W_OK);
  });
  return problems;
}

function eventLine(e: GateEvent, verbose: boolean, maxPairs: number): string | null {
  switch (e.type) {
    case 'plan':
      return `gate: ${e.text}`;
    case 'run-start':
      return `gate: pair ${e.pair}/${maxPairs} ${e.side} (${e.order}) against ${e.target}`;
    case 'run-progress': {
      const line = verbose ? progressLine(e.event) : null;
      return line ? `  ${line}` : null;
    }
    case 'run-end': {
      const r = e.record;
      const what =
        r.stopReason === 'breach'
          ? `critical point ${r.criticalPoint} ${r.unit ?? ''} (resolution ${percent(r.resolution)})`
          : `${r.stopReason}: ${r.stopDetail}`;
      return `gate: pair ${r.pair} ${r.side}: ${what} in ${(r.durationMs / 1000).toFixed(1)} s${r.runDir ? ` (${r.runDir})` : ''}`;
    }
    case 'decision':
      return `gate: after ${e.decision.n} pair${e.decision.n === 1 ? '' : 's'}: ${e.decision.reason}${e.final ? '' : ' Adding a pair.'}`;
  }
}

export function addGateCommand(program: Command, io: CliIO, act: Act): void {
  program
    .command('gate')
    .description('gate a merge on the critical point: BLOCK when head drops it by --max-drop or more (exit 0 PASS, 10 BLOCK, 11 INCONCLUSIVE, 12 no verdict)')
    .argument('<scenario>', 'scenario file (YAML or JSON); target.url is replaced by --base/--head')
    .option('--base <url>', 'base build target (interleaved pairs with --head)')
    .option('--head <url>', 'head build target (with --baseline: default target.url)')
    .option('--baseline <summary.json>', 'stored base run (summary.json or run folder): one head run against it, weaker than pairs')
    .option('--max-drop <percent>', 'largest tolerated drop of the critical point (default 15%)')
    .option('--pairs <n>', 'pairs run before the first decision (default 5)')
    .option('--max-pairs <n>', 'most pairs, added one at a time while inconclusive (default 10)')
    .option('--seed <text>', 'seed of the pair order (default $GITHUB_SHA, else random)')
    .option('--noise <percent>', 'with --baseline: assumed per-pair noise, sdLog of an interleaved gate.json (default 5%)')
    .option('--cooldown <duration>', 'pause between runs so the previous target drains (default 2s)')
    .option('--base-label <text>', 'name of the base in reports (e.g. main)')
    .option('--head-label <text>', 'name of the head in reports (e.g. a PR branch)')
    .option('--summary-md <file>', 'append the markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--junit <file>', 'also write the JUnit XML here')
    .option('--out <dir>', 'results folder (overrides report.dir); the gate writes <dir>/<name>/gate/<timestamp>/')
    .option('--set <path=value>', 'override any scenario field (repeatable)', collect, [])
    .option('--json', 'print gate.json on stdout')
    .option('--quiet', 'no progress on stderr')
    .option('--verbose', "also print every run's steps")
    .action(
      act(async (file: string, o: GateFlags) => {
        const parsed = parseGateOptions(o, io.env);
        const problems: string[] = [...parsed.problems];
        // The scenario is checked against a target the options name (the base's; with --baseline, --head's).
        const target = !parsed.options ? undefined : parsed.options.mode === 'interleaved' ? parsed.options.baseUrl : (parsed.options.headUrl ?? undefined);
        const sets = o.out ? [...o.set, `report.dir=${JSON.stringify(o.out)}`] : o.set;
        const scenario = await loadScenarioFile(file, { target, sets, env: io.env }).catch((err: unknown) => {
          if (!(err instanceof ScenarioError)) throw err;
          problems.push(...err.problems.map((p) => `${file}: ${p}`));
          return null;
        });
        problems.push(...(await writableProblems(o)));
        if (problems.length > 0 || !parsed.options || !scenario) throw new GateOptionsError(problems);
        const opts = parsed.options;
        const baseline = opts.mode === 'baseline' ? await readRunSummary(opts.baselineFile) : null;
        if (baseline) checkBaseline(baseline, scenario);

        const dir = await prepareRunDir(join(scenario.report.dir, scenario.name), 'gate', new Date());
        const say = (line: string | null) => {
          if (line !== null && !o.quiet) io.stderr(`${line}\n`);
        };
        const common = {
          env: io.env,
          signal: io.signal,
          dir,
          cooldownMs: opts.cooldownMs,
          baseLabel: o.baseLabel ?? null,
          headLabel: o.headLabel ?? null,
          onEvent: (e: GateEvent) => say(eventLine(e, Boolean(o.verbose), opts.mode === 'interleaved' ? opts.maxPairs : 1)),
        };
        const outcome: GateOutcome =
          opts.mode === 'interleaved'
            ? await runInterleavedGate({
                ...common,
                scenario,
                baseUrl: opts.baseUrl,
                headUrl: opts.headUrl,
                maxDrop: opts.maxDrop,
                pairs: opts.pairs,
                maxPairs: opts.maxPairs,
                seed: opts.seed,
              })
            : await runBaselineGate({
                ...common,
                scenario,
                baseline: baseline!,
                baselineFile: opts.baselineFile,
                headUrl: opts.headUrl ?? scenario.target.url,
                maxDrop: opts.maxDrop,
                noise: opts.noise,
              });

        const written = await writeGateOutputs(outcome, { summaryMd: o.summaryMd, junit: o.junit });
        // A decision's reason starts with its verdict.
        say(`\ngate: ${outcome.decision?.reason ?? `${outcome.status === 'interrupted' ? 'INTERRUPTED' : 'ERROR'}: ${outcome.error}`}`);
        for (const n of outcome.notes) say(`note: ${n}`);
        say(`gate folder: ${dir} (${written.length} files written)`);
        if (o.json) io.stdout(`${JSON.stringify(gateFile(outcome))}\n`);
        return gateExitCode(outcome);
      }),
    );
}
