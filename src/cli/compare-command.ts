// `critpoint compare <base> <head>`: two saved runs side by side, the shift, and whether it is
// measurable. The comparison goes to stdout in the chosen format; errors list every problem.
import { Option, type Command } from 'commander';
import { compareRuns } from '../compare/compare-runs.js';
import { formatComparison, type ComparisonFormat } from '../compare/format-comparison.js';
import { readRunSummary } from '../compare/run-file.js';
import type { Act, CliIO } from './program.js';

export function addCompareCommand(program: Command, io: CliIO, act: Act): void {
  program
    .command('compare')
    .description('compare two saved runs: critical points side by side, the shift, and whether it is measurable')
    .argument('<base>', "base run: its summary.json or its run folder")
    .argument('<head>', "head run: its summary.json or its run folder")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'md', 'json']).default('text'))
    .action(
      act(async (baseFile: string, headFile: string, o: { format: ComparisonFormat }) => {
        const [base, head] = await Promise.all([readRunSummary(baseFile), readRunSummary(headFile)]);
        io.stdout(formatComparison(compareRuns(base, head), o.format));
        return 0;
      }),
    );
}
