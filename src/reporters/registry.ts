// One registry of report formats: name -> reporter.
import type { Reporter } from '../types.js';
import { jsonReporter } from './json/json-reporter.js';
import { csvReporter } from './csv/csv-reporter.js';
import { htmlReporter } from './html/html-report.js';
import { markdownReporter } from './markdown/markdown-reporter.js';

export const reporters: Record<string, Reporter> = {
  json: jsonReporter,
  csv: csvReporter,
  html: htmlReporter,
  md: markdownReporter,
};
