#!/usr/bin/env node
// The critpoint binary: wires process signals and exit codes around runCli.
import { runCli } from './program.js';
import { EXIT } from '../errors.js';
import { applyHeapPolicy } from './heap-policy.js';

applyHeapPolicy();

const controller = new AbortController();
let interrupts = 0;
// First signal: stop the load and write a partial report. Any second one: exit at once.
const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
  interrupts++;
  if (interrupts > 1) {
    process.stderr.write(`\nsecond ${name}: exiting now, no report\n`);
    process.exit(name === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint);
  }
  process.stderr.write(`\n${name}: stopping load, writing a partial report (Ctrl-C again to exit at once)\n`);
  controller.abort(name);
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  signal: controller.signal,
  stderrIsTTY: process.stderr.isTTY === true,
  stderrColumns: () => process.stderr.columns,
});
process.exitCode = code;
// Nothing should keep the process alive after the run, but never hang CI on a stray handle.
setTimeout(() => process.exit(code), 2_000).unref();
