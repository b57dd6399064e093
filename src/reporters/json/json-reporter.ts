import { join } from 'node:path';
import type { Reporter } from '../../types.js';
import { writeAtomic } from '../atomic-write.js';
import { summaryOf, SummaryMisfitError } from '../../result/summary-io.js';

export { summaryOf };

/** summary.json, written through the summary schema (src/result/summary-schema.ts). */
export const jsonReporter: Reporter = {
  name: 'json',
  files: ['summary.json'],
  async write(result, dir) {
    const file = join(dir, 'summary.json');
    try {
      await writeAtomic(file, `${JSON.stringify(summaryOf(result), null, 2)}\n`);
    } catch (err) {
      if (!(err instanceof SummaryMisfitError)) throw err;
      // Keep the run's data all the same; the error makes it a report failure the run warns about.
      await writeAtomic(file, `${JSON.stringify(err.unchecked, null, 2)}\n`);
      throw err;
    }
    return ['summary.json'];
  },
};
