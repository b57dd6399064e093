import { defineConfig } from 'vitest/config';

// Two projects: pure/fast tests run in parallel; anything that puts load on the
// machine (real servers, ramps) runs one file at a time so tests do not compete
// for the two cores and distort each other's measurements.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
