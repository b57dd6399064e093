// `critpoint export k6` and `critpoint analyze`: command bodies live in
// src/k6; this file only parses options and prints.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadScenarioFile } from '../scenario/load.js';
import { formatDuration } from '../scenario/duration.js';
import { exportK6 } from '../k6/export/export-k6.js';
import { analyzeK6 } from '../k6/analyze/analyze.js';
import type { K6Output } from '../k6/export/testrun.js';
import { crossedThresholds } from '../k6/k6-exit.js';
import { ScenarioError } from '../errors.js';
import { summaryOf } from '../reporters/json/json-reporter.js';
import { humanSummary } from './human-summary.js';
import type { CliIO, CliState } from './program.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function outputsOf(list: string[]): K6Output[] {
  const names = list
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = names.filter((n) => n !== 'json' && n !== 'prometheus');
  if (bad.length > 0)
    throw new ScenarioError(
      bad.map((b) => `--output: must be json or prometheus, got ${JSON.stringify(b)}`),
      'export k6',
    );
  return [...new Set(names)] as K6Output[];
}

export function registerK6Commands(program: Command, io: CliIO, state: CliState): void {
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      state.exitCode = await fn(...args);
    };

  const exp = program.command('export').description("write a scenario in another tool's format");
  exp
    .command('k6')
    .description("write a k6 script (ramping-arrival-rate, the scenario's plan, per-step tags) and, with --parallelism, a k6-operator TestRun")
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--out <dir>', 'folder to write into (default k6/<scenario name>)')
    .option('--parallelism <n>', 'also write a k6-operator TestRun manifest for n runner pods')
    .option('--output <kinds>', 'TestRun outputs: json (files for critpoint analyze), prometheus (remote write), or both (repeatable)', collect, [])
    .option('--prometheus-url <url>', 'remote-write URL for --output prometheus', 'http://prometheus:9090/api/v1/write')
    .option('--abort-error-rate <ratio>', 'safety stop in the script: k6 aborts (exit 99) once this share of all requests failed; 0 = none', '0.1')
    .option('--target <url>', 'override target.url')
    .option('--set <path=value>', 'override any field (repeatable)', collect, [])
    .action(
      act(
        async (
          file: string,
          o: { out?: string; parallelism?: string; output: string[]; prometheusUrl: string; abortErrorRate: string; target?: string; set: string[] },
        ) => {
          const s = await loadScenarioFile(file, { target: o.target, sets: o.set });
          const res = await exportK6(s, {
            outDir: o.out ?? join('k6', s.name),
            parallelism: o.parallelism === undefined ? undefined : Number(o.parallelism),
            outputs: outputsOf(o.output.length ? o.output : ['json']),
            prometheusUrl: o.prometheusUrl,
            abortErrorRate: Number(o.abortErrorRate),
            scenarioFile: file,
          });
          for (const w of res.warnings) io.stderr(`warning: ${w}\n`);
          io.stderr(
            `wrote ${res.files.join(', ')} to ${res.dir}\n  ${res.plan.steps.length} steps, ${formatDuration(res.plan.totalMs)} of load: ${res.plan.steps.map((st) => st.load).join(', ')} req/s\n`,
          );
          io.stdout(`${JSON.stringify({ dir: res.dir, files: res.files, steps: res.plan.steps.length, durationMs: res.plan.totalMs })}\n`);
          return 0;
        },
      ),
    );

  program
    .command('analyze')
    .description('find the critical point in k6 JSON output (one file per runner, plain or .gz) of a script made by `export k6`')
    .argument('<k6-json-output...>', 'k6 --out json files of one run')
    .requiredOption('--scenario <file>', 'the scenario the script was exported from')
    .option('--out <dir>', 'results folder (overrides report.dir)')
    .option('--set <path=value>', 'override any field (repeatable)', collect, [])
    .option('--k6-exit-code <code>', "k6's exit code, when the output ends early (99 = a threshold aborted the test)")
    .option('--k6-stderr <file>', "k6's stderr (the threshold abort line names the metrics)")
    .option('--k6-summary <file>', "k6's --summary-export file (names the crossed thresholds)")
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--quiet', 'no summary on stderr')
    .action(
      act(
        async (
          files: string[],
          o: { scenario: string; out?: string; set: string[]; k6ExitCode?: string; k6Stderr?: string; k6Summary?: string; json?: boolean; quiet?: boolean },
        ) => {
          const sets = o.out ? [...o.set, `report.dir=${JSON.stringify(o.out)}`] : o.set;
          const s = await loadScenarioFile(o.scenario, { sets });
          const code = o.k6ExitCode === undefined ? undefined : Number(o.k6ExitCode);
          if (code !== undefined && !(Number.isInteger(code) && code >= 0 && code <= 255))
            throw new ScenarioError([`--k6-exit-code: must be a whole number from 0 to 255, got ${JSON.stringify(o.k6ExitCode)}`], 'analyze');
          const stderr = o.k6Stderr ? await readFile(o.k6Stderr, 'utf8') : undefined;
          const crossed = o.k6Summary ? crossedThresholds(JSON.parse(await readFile(o.k6Summary, 'utf8'))) : undefined;
          const { result, runDir } = await analyzeK6(files, s, { k6Exit: code === undefined ? undefined : { code, stderr, crossed } });
          if (!o.quiet) io.stderr(`${humanSummary(result, runDir)}\n`);
          if (o.json) io.stdout(`${JSON.stringify(summaryOf(result))}\n`);
          return result.exitCode;
        },
      ),
    );
}
