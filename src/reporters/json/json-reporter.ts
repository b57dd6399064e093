import { join } from 'node:path';
import type { Reporter, RunResult } from '../../types.js';
import { writeAtomic } from '../atomic-write.js';

/** summary.json: the whole RunResult except the per-window series (those are in windows.csv and runtime.csv). */
export function summaryOf(result: RunResult): Omit<RunResult, 'windows' | 'runtimeSamples'> & { windowCount: number } {
  const { windows, runtimeSamples: _r, ...rest } = result;
  return { ...rest, windowCount: windows.length };
}

export const jsonReporter: Reporter = {
  name: 'json',
  files: ['summary.json'],
  async write(result, dir) {
    await writeAtomic(join(dir, 'summary.json'), `${JSON.stringify(summaryOf(result), null, 2)}\n`);
    return ['summary.json'];
  },
};
