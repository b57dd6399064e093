import { defineConfig } from 'vitest/config';

// Three projects. unit: pure and fast, in parallel. light: real processes and servers that put little
// load on the machine and assert nothing a busy machine can change (invalid input through the CLI, the
// modules a child loaded, the report rendered in Chromium, short low-rate runs whose outputs, secrets and
// response checks are the claim whatever the run found); they run in parallel with each other and with the unit tests. integration: anything that puts load on the machine (real servers, ramps) runs
// one file at a time, and never at the same time as the other two (scripts/test.sh), so tests do not
// compete for the two cores and distort each other's measurements.
export default defineConfig({
  test: {
    // Three workers on two cores (vitest's default is cores - 1: one worker here): the light files spend
    // most of their time waiting on servers and child processes, and a third worker fills the cores
    // while one waits. The integration project still runs one file at a time (fileParallelism: false).
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // One module cache per worker instead of one per file: importing the sources anew for each of
          // ~80 files cost ~40 s of CPU, more than the tests themselves. Unit tests keep no state between
          // files (they pass in any file order: --sequence.shuffle.files).
          isolate: false,
          // Time limits, not measurements: generous so a busy machine (checks running beside) is slow, not failing.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'light',
          include: ['test/light/**/*.test.ts'],
          // One module cache per worker, as for the unit tests: a fresh import of the sources per file cost
          // ~25 s of CPU in a phase that is CPU-bound. Each file stops its own servers and children.
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          // The files run one after another in one process that keeps its module cache: a fresh process
          // and import per file cost ~1.5 s each, ~40 s in all. Every file stops its own servers and
          // targets in afterAll/afterEach.
          isolate: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
