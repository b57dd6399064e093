// `critpoint compare <base> <head>`: two saved runs side by side, the shift, and whether it is
// measurable. The comparison goes to stdout in the chosen format; errors list every problem.
// --fail-on turns what CI should stop on into exit code 9.
import { Option, type Command } from 'commander';
import { compareRuns, sameRunWarning } from '../compare/compare-runs.js';
import { formatComparison, type ComparisonFormat } from '../compare/format-comparison.js';
import { readRunSummary } from '../compare/run-file.js';
import { failOnReason, parseFailOn } from '../compare/fail-on.js';
import { EXIT, ScenarioError } from '../errors.js';
import type { Act, CliIO } from './program.js';

export function addCompareCommand(program: Command, io: CliIO, act: Act): void {
  program
    .command('compare')
    .description('compare two saved runs: critical points side by side, the shift, and whether it is measurable')
    .argument('<base>', 'base run: its summary.json or its run folder')
    .argument('<head>', 'head run: its summary.json or its run folder')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'md', 'json']).default('text'))
    .option('--fail-on <what>', `exit ${EXIT.compareFailed} on: regression (a measurable drop), any (anything but no measurable change), or a drop such as 5%`)
    .action(
      act(async (baseFile: string, headFile: string, o: { format: ComparisonFormat; failOn?: string }) => {
        const spec = o.failOn === undefined ? undefined : parseFailOn(o.failOn);
        if (spec && 'problem' in spec) throw new ScenarioError([spec.problem], 'compare');
        const [base, head] = await Promise.all([readRunSummary(baseFile), readRunSummary(headFile)]);
        const c = compareRuns(base, head);
        if (c.sameRun) io.stderr(`warning: ${sameRunWarning(c.base.runId)}\n`);
        io.stdout(formatComparison(c, o.format));
        if (!spec) return 0;
        const reason = failOnReason(c, spec.failOn);
        if (reason === null) return 0;
        io.stderr(`compare: fails (--fail-on ${o.failOn}): ${reason}\n`);
        return EXIT.compareFailed;
      }),
    );
}
