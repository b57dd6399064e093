// Reads a data file (CSV with a header line, or JSON Lines) whole, before any
// load: every row must have every column the templates use, else a problem
// with its line number. Rows keep only the used columns (memory stays
// proportional to what is sent). The last file read is cached, so validation
// and the engine read it once.
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { renderGot } from '../scenario/format-issues.js';
import type { DataSection } from '../scenario/data-schema.js';
import type { Cell } from './fill.js';

/** Files above this are refused (they are held in memory whole). */
export const MAX_DATA_BYTES = 256 * 1024 * 1024;
/** Row problems listed at most (validation prints a bounded list). */
const MAX_ROW_PROBLEMS = 20;

export interface DataRows {
  /** The columns kept, in row order. */
  columns: string[];
  /** Every column the file has (CSV header, or the first JSON Lines object's keys), for messages. */
  fileColumns: string[];
  rows: Cell[][];
  /** The 1-based line each row came from. */
  lines: number[];
}

export type DataLoad = { ok: true; data: DataRows } | { ok: false; problems: string[] };

export function dataFormat(d: Pick<DataSection, 'file' | 'format'>): 'csv' | 'jsonl' {
  return d.format ?? (/\.csv$/i.test(d.file) ? 'csv' : 'jsonl');
}

let cache: { key: string; load: DataLoad } | null = null;

/** Reads and checks d.file; `used` are the columns the templates name (each must be in every row). */
export function loadDataFile(d: Pick<DataSection, 'file' | 'format'>, used: readonly string[]): DataLoad {
  const got = renderGot(d.file);
  let size: number;
  let mtime: number;
  try {
    const st = statSync(d.file);
    if (!st.isFile()) return { ok: false, problems: [`data.file: not a file, got ${got}`] };
    size = st.size;
    mtime = st.mtimeMs;
  } catch (err) {
    return { ok: false, problems: [`data.file: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), got ${got}`] };
  }
  if (size > MAX_DATA_BYTES) return { ok: false, problems: [`data.file: larger than ${MAX_DATA_BYTES / 1024 / 1024} MiB, got ${size} bytes`] };
  const format = dataFormat(d);
  const key = `${d.file}\0${size}\0${mtime}\0${format}\0${used.join('\0')}`;
  if (cache?.key === key) return cache.load;
  let text: string;
  try {
    text = readFileSync(d.file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [`data.file: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), got ${got}`] };
  }
  const load = format === 'csv' ? csvRows(text, used, got) : jsonlRows(text, used, got);
  cache = { key, load };
  return load;
}

function finish(columns: string[], fileColumns: string[], rows: Cell[][], lines: number[], problems: string[], got: string): DataLoad {
  if (problems.length > MAX_ROW_PROBLEMS) {
    const n = problems.length;
    problems.length = MAX_ROW_PROBLEMS;
    problems.push(`data.file: ${n - MAX_ROW_PROBLEMS} more rows do not fit, got ${got}`);
  }
  if (problems.length === 0 && rows.length === 0) problems.push(`data.file: holds no rows, got ${got}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, data: { columns, fileColumns, rows, lines } };
}

function csvRows(text: string, used: readonly string[], got: string): DataLoad {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { ok: false, problems: [`data.file: line ${e.lines ?? '?'}: not valid CSV (${e.message.split('\n')[0]}), got ${got}`] };
  }
  const header = records[0]?.record ?? [];
  const problems: string[] = [];
  const index = used.map((c) => header.indexOf(c));
  used.forEach((c, k) => {
    if (index[k]! < 0) problems.push(`data.file: no column ${JSON.stringify(c)} in the CSV header (columns: ${header.join(', ') || 'none'}), got ${got}`);
  });
  if (problems.length > 0) return { ok: false, problems };
  const rows: Cell[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    if (record.length !== header.length) {
      problems.push(`data.file: line ${info.lines}: has ${record.length} fields, the header has ${header.length}, got ${renderGot(record)}`);
      if (problems.length > MAX_ROW_PROBLEMS) break;
      continue;
    }
    rows.push(index.map((k) => record[k] as string));
    lines.push(info.lines);
  }
  return finish([...used], header, rows, lines, problems, got);
}

function jsonlRows(text: string, used: readonly string[], got: string): DataLoad {
  const rows: Cell[][] = [];
  const lines: number[] = [];
  const problems: string[] = [];
  let fileColumns: string[] | null = null;
  let line = 0;
  let start = 0;
  while (start <= text.length && problems.length <= MAX_ROW_PROBLEMS) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line === 1 ? raw.replace(/^\uFEFF/, '') : raw);
    } catch (err) {
      problems.push(`data.file: line ${line}: not valid JSON (${(err as Error).message}), got ${renderGot(raw)}`);
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      problems.push(`data.file: line ${line}: must be a JSON object (one row of named values), got ${renderGot(v)}`);
      continue;
    }
    const o = v as Record<string, Cell>;
    fileColumns ??= Object.keys(o);
    const missing = used.filter((c) => o[c] === undefined);
    if (missing.length > 0) {
      problems.push(`data.file: line ${line}: no ${missing.map((c) => JSON.stringify(c)).join(', ')} (used by the requests), got ${renderGot(v)}`);
      continue;
    }
    rows.push(used.map((c) => o[c] as Cell));
    lines.push(line);
  }
  return finish([...used], fileColumns ?? [], rows, lines, problems, got);
}
