// Scenario loading: file -> parse (YAML or JSON) -> overrides (--target, --set)
// -> schema (defaults) -> rules. Every problem is collected and reported at
// once; nothing here sends load.
import { open, stat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml, parseDocument } from 'yaml';
import { ScenarioError } from '../errors.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { formatIssues, renderGot } from './format-issues.js';
import { checkRules } from './rules.js';
import { resolveGrpcPaths } from './grpc-rules.js';
import { resolveTlsPaths } from './tls-schema.js';
import { estimateNesting } from './nesting-scan.js';

/** Scenario files are small; anything larger is refused before parsing. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;
/** Refused before parsing: the parsers recurse per level. Generous, since the scan only estimates; MAX_DEPTH is checked exactly after. */
const MAX_DEPTH_BEFORE_PARSE = 256;

export interface LoadOptions {
  /** --target URL */
  target?: string;
  /** --set dot.path=value, in order */
  sets?: string[];
  /** Changes the parsed data after --target and before --set (the run command's request flags); returns problems. */
  patch?: (raw: Record<string, unknown>) => string[];
  /** Environment for ${env:NAME}; when given, missing variables are problems. */
  env?: NodeJS.ProcessEnv;
  /** Folder relative file paths in the scenario (grpc.proto, ...) are resolved against. Default: the scenario file's folder, else the working directory. */
  baseDir?: string;
  /** Where `-` reads the scenario from. Default process.stdin. */
  stdin?: ScenarioInput;
}

/** A readable source of scenario text (process.stdin, or a Readable in tests). */
export type ScenarioInput = AsyncIterable<Buffer | string> & { isTTY?: boolean };

/** The scenario argument that means "read standard input". */
export const STDIN_ARG = '-';

/** First line of a library message, trimmed, without a trailing colon. */
function oneLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim().replace(/:$/, '') || 'unknown problem';
}

function depth(value: unknown, limit: number, level = 0): number {
  if (level > limit) return level;
  if (value && typeof value === 'object') {
    let max = level;
    for (const v of Object.values(value)) {
      max = Math.max(max, depth(v, limit, level + 1));
      if (max > limit) break;
    }
    return max;
  }
  return level;
}

/** Parses scenario text. YAML aliases are capped (no "billion laughs"). */
export function parseScenarioText(text: string, source: string): unknown {
  if (Buffer.byteLength(text) > MAX_SCENARIO_BYTES) {
    throw new ScenarioError([`(file): scenario is larger than ${MAX_SCENARIO_BYTES} bytes, got ${Buffer.byteLength(text)} bytes`], source);
  }
  const nesting = estimateNesting(text);
  if (nesting > MAX_DEPTH_BEFORE_PARSE) {
    throw new ScenarioError([`(file): nested deeper than ${MAX_DEPTH} levels, got about ${nesting} levels`], source);
  }
  const binary = binaryProblem(text);
  if (binary) throw new ScenarioError([binary], source);
  if (text.trim() === '') throw new ScenarioError([`(file): is empty, got ${text.length === 0 ? 'nothing' : 'only whitespace'}`], source);
  let data: unknown;
  try {
    if (/\.json$/i.test(source)) {
      data = JSON.parse(text);
    } else {
      // logLevel 'silent': the library would print warnings itself; they are problems here instead.
      const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'silent' });
      const issues = [...doc.errors, ...doc.warnings];
      if (issues.length > 0) {
        // The first syntax error is the one to fix; the ones after it are mostly its echoes.
        const more = issues.length > 1 ? ` (first of ${issues.length} YAML errors)` : '';
        throw new ScenarioError([`(file): ${oneLine((issues[0] as Error).message)}${more}, got invalid YAML`], source);
      }
      data = doc.toJS({ maxAliasCount: 100 });
    }
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    // A stack overflow on absurd nesting is a refusal like any other.
    const msg = err instanceof RangeError ? `nested too deeply to parse` : oneLine((err as Error).message);
    throw new ScenarioError([`(file): cannot parse (${msg}), got invalid ${/\.json$/i.test(source) ? 'JSON' : 'YAML'}`], source);
  }
  if (depth(data, MAX_DEPTH) > MAX_DEPTH) {
    throw new ScenarioError([`(file): nested deeper than ${MAX_DEPTH} levels, got a deeper document`], source);
  }
  if (data === null) throw new ScenarioError([`(file): holds no fields (only comments, or an empty document), got nothing`], source);
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([`(root): must be a mapping of fields, got ${Array.isArray(data) ? 'a list' : typeof data}`], source);
  }
  return data;
}

/** Applies `dot.path=value` (value read as YAML: numbers, booleans, lists work). */
export function applySet(data: Record<string, unknown>, assignment: string): string | null {
  const eq = assignment.indexOf('=');
  if (eq <= 0) return `--set: expected dot.path=value, got ${JSON.stringify(assignment)}`;
  const path = assignment.slice(0, eq).trim().split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw, { maxAliasCount: 0, logLevel: 'silent' });
  } catch {
    value = raw;
  }
  let cur: Record<string, unknown> = data;
  for (const [i, key] of path.entries()) {
    if (key === '' || key === '__proto__' || key === 'constructor' || key === 'prototype') {
      return `--set: invalid path ${JSON.stringify(path.join('.'))}, got ${JSON.stringify(assignment)}`;
    }
    if (i === path.length - 1) {
      cur[key] = value;
    } else {
      const next = cur[key];
      if (next === undefined || next === null) cur[key] = {};
      else if (typeof next !== 'object' || Array.isArray(next))
        return `${path.slice(0, i + 1).join('.')}: is not a mapping, cannot set ${path.join('.')}, got ${JSON.stringify(next)}`;
      cur = cur[key] as Record<string, unknown>;
    }
  }
  return null;
}

/** Validates parsed data with overrides applied. Throws ScenarioError listing every problem. */
export function resolveScenario(data: unknown, opts: LoadOptions = {}, source = 'scenario'): Scenario {
  const problems: string[] = [];
  const raw = structuredClone(data) as Record<string, unknown>;
  if (opts.target !== undefined) {
    const target = raw.target && typeof raw.target === 'object' && !Array.isArray(raw.target) ? (raw.target as Record<string, unknown>) : {};
    raw.target = { ...target, url: opts.target };
  }
  if (opts.patch) problems.push(...opts.patch(raw));
  for (const s of opts.sets ?? []) {
    const problem = applySet(raw, s);
    if (problem) problems.push(problem);
  }
  const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, raw));
    throw new ScenarioError(problems, source);
  }
  const baseDir = opts.baseDir ?? process.cwd();
  const grpcResolved = resolveGrpcPaths(parsed.data, baseDir);
  const tlsResolved = grpcResolved.http.tls
    ? { ...grpcResolved, http: { ...grpcResolved.http, tls: resolveTlsPaths(grpcResolved.http.tls, baseDir) } }
    : grpcResolved;
  const scenario = tlsResolved.data ? { ...tlsResolved, data: { ...tlsResolved.data, file: resolvePath(baseDir, tlsResolved.data.file) } } : tlsResolved;
  problems.push(...checkRules(scenario, { env: opts.env }));
  if (problems.length > 0) throw new ScenarioError(problems, source);
  return scenario;
}

/** A NUL is never in YAML or JSON text: the input is binary (an executable, an archive, an image). */
function binaryProblem(text: string): string | null {
  const nul = text.indexOf('\u0000');
  return nul < 0 ? null : `(file): not a text file (a NUL character at offset ${nul}; a scenario is YAML or JSON text), got binary data`;
}

/** Reads at most MAX_SCENARIO_BYTES + 1 bytes: enough to refuse a larger input without holding it. */
async function readBounded(chunks: AsyncIterable<Buffer | string>): Promise<{ bytes: Buffer; over: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    parts.push(buf);
    size += buf.length;
    if (size > MAX_SCENARIO_BYTES) return { bytes: Buffer.alloc(0), over: true };
  }
  return { bytes: Buffer.concat(parts), over: false };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** UTF-8 text of the input (a UTF-8 byte-order mark dropped); binary data and other encodings are one problem each. */
function decode(bytes: Buffer, source: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new ScenarioError([`(file): is UTF-16 text; save the scenario as UTF-8, got a UTF-16 byte-order mark`], source);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ScenarioError([`(file): not a text file (a NUL byte at offset ${nul}; a scenario is YAML or JSON text), got binary data`], source);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ScenarioError([`(file): not UTF-8 text (an invalid byte sequence; save the scenario as UTF-8), got binary data`], source);
  }
}

function readProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const got = renderGot(file);
  switch (code) {
    case 'ENOENT':
      return `(file): no such file, got ${got}`;
    case 'EISDIR':
      return `(file): is a directory; name a scenario file (YAML or JSON), got ${got}`;
    case 'EACCES':
    case 'EPERM':
      return `(file): permission denied, got ${got}`;
    case 'ENOTDIR':
      return `(file): a part of the path is not a directory, got ${got}`;
    default:
      return `(file): cannot read (${code ?? oneLine((err as Error).message)}), got ${got}`;
  }
}

async function readScenarioBytes(file: string, stdin: ScenarioInput): Promise<Buffer> {
  const tooLarge = (got: string) => new ScenarioError([`(file): scenario is larger than ${MAX_SCENARIO_BYTES} bytes (1 MiB), got ${got}`], file);
  if (file === STDIN_ARG) {
    if (stdin.isTTY) throw new ScenarioError([`(stdin): is a terminal; pipe a scenario in (critpoint validate - < scenario.yaml), got no input`], 'stdin');
    const { bytes, over } = await readBounded(stdin);
    if (over)
      throw new ScenarioError([`(stdin): scenario is larger than ${MAX_SCENARIO_BYTES} bytes (1 MiB), got more than ${MAX_SCENARIO_BYTES} bytes`], 'stdin');
    return bytes;
  }
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    // A regular file's size is known: refuse before reading. Pipes and devices (<(...), /dev/stdin) are read bounded.
    if (info.isFile() && info.size > MAX_SCENARIO_BYTES) throw tooLarge(`${info.size} bytes`);
    const handle = await open(file, 'r');
    try {
      const { bytes, over } = await readBounded(handle.createReadStream({ autoClose: false, highWaterMark: 64 * 1024 }));
      if (over) throw tooLarge(`more than ${MAX_SCENARIO_BYTES} bytes`);
      return bytes;
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    throw new ScenarioError([readProblem(file, err)], file);
  }
}

/**
 * Loads a scenario file, or standard input for `-`. Every way a file can be unusable (missing, a
 * directory, binary, empty, larger than 1 MiB) is one ScenarioError problem; nothing is sent.
 */
export async function loadScenarioFile(file: string, opts: LoadOptions = {}): Promise<Scenario> {
  const fromStdin = file === STDIN_ARG;
  const source = fromStdin ? 'stdin' : file;
  const text = decode(await readScenarioBytes(file, opts.stdin ?? process.stdin), source);
  return resolveScenario(parseScenarioText(text, source), { baseDir: fromStdin ? process.cwd() : dirname(file), ...opts }, source);
}

/**
 * What `run` would refuse in this environment and `validate` reports as needed at run time: the
 * rules' own `${env:NAME}` problems (checked with and without the environment, so the two agree).
 */
export function runTimeEnvProblems(s: Scenario, env: NodeJS.ProcessEnv): string[] {
  const without = new Set(checkRules(s));
  return checkRules(s, { env }).filter((p) => !without.has(p));
}
