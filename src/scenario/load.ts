// Scenario loading: file -> parse (YAML or JSON) -> overrides (--target, --set)
// -> schema (defaults) -> rules. Every problem is collected and reported at
// once; nothing here sends load.
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml, parseDocument } from 'yaml';
import { ScenarioError } from '../errors.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { formatIssues } from './format-issues.js';
import { checkRules } from './rules.js';
import { resolveGrpcPaths } from './grpc-rules.js';
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
}

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
  let data: unknown;
  try {
    if (/\.json$/i.test(source)) {
      data = JSON.parse(text);
    } else {
      // logLevel 'silent': the library would print warnings itself; they are problems here instead.
      const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'silent' });
      const issues = [...doc.errors, ...doc.warnings];
      if (issues.length > 0) {
        throw new ScenarioError(issues.map((e) => `(file): ${oneLine(e.message)}, got invalid YAML`), source);
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
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([`(root): must be a mapping of fields, got ${data === null ? 'nothing' : Array.isArray(data) ? 'a list' : typeof data}`], source);
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
      else if (typeof next !== 'object' || Array.isArray(next)) return `${path.slice(0, i + 1).join('.')}: is not a mapping, cannot set ${path.join('.')}, got ${JSON.stringify(next)}`;
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
  const scenario = resolveGrpcPaths(parsed.data, opts.baseDir ?? process.cwd());
  problems.push(...checkRules(scenario, { env: opts.env }));
  if (problems.length > 0) throw new ScenarioError(problems, source);
  return scenario;
}

export async function loadScenarioFile(file: string, opts: LoadOptions = {}): Promise<Scenario> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new ScenarioError([`(file): cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), got nothing`], file);
  }
  if (size > MAX_SCENARIO_BYTES) throw new ScenarioError([`(file): scenario is larger than ${MAX_SCENARIO_BYTES} bytes, got ${size} bytes`], file);
  const text = await readFile(file, 'utf8');
  return resolveScenario(parseScenarioText(text, file), { baseDir: dirname(file), ...opts }, file);
}
