// The `data` section: a CSV or JSON Lines file whose rows feed ${data:COLUMN}
// placeholders, one row per send (src/requests/data-file.ts reads and checks it).
import { z } from 'zod';

export const dataSchema = z.strictObject({
  file: z.string().min(1).meta({
    description:
      "CSV (first line: column names) or JSON Lines file (one JSON object per line) of values for ${data:COLUMN} placeholders; a relative path is relative to the scenario file's folder. The whole file is checked before any load.",
  }),
  format: z
    .enum(['csv', 'jsonl'])
    .optional()
    .meta({ description: 'csv or jsonl. Default: from the file name (.csv is CSV; .jsonl, .ndjson and .json are JSON Lines).' }),
  order: z.enum(['sequential', 'random']).default('sequential').meta({
    description: "sequential: send i takes row i (the run's request sequence number); random: a row drawn by a hash of (load.seed, i).",
  }),
  onEnd: z.enum(['wrap', 'stop']).default('wrap').meta({
    description:
      'wrap: after the last row, start again at the first; stop: the rows bound the run (one send per row, like load.maxRequests), and the run ends completed when they are used up.',
  }),
});

export type DataSection = z.output<typeof dataSchema>;
