// Validation of `critpoint gate` options: raw strings in, typed options or every problem out, as
// `<option>: <what is wrong>, got <value>`. Pure; nothing here sends load.
import { parseDuration } from '../scenario/duration.js';
import { renderGot } from '../scenario/format-issues.js';
import { isHttpUrl } from '../scenario/http-url.js';
import { DEFAULT_MAX_PAIRS, DEFAULT_PAIRS } from '../compare/gate-decision.js';
import { DEFAULT_ASSUMED_NOISE } from '../compare/baseline-gate.js';
import { seedFromString } from '../compare/pair-order.js';

/** Most pairs a gate may run: every pair is two full runs. */
export const PAIRS_CAP = 30;
export const DEFAULT_MAX_DROP = 0.15;
export const DEFAULT_COOLDOWN_MS = 2_000;

export interface RawGateOptions {
  base?: string;
  head?: string;
  baseline?: string;
  maxDrop?: string;
  pairs?: string;
  maxPairs?: string;
  seed?: string;
  noise?: string;
  cooldown?: string;
}

export type GateOptions =
  | {
      mode: 'interleaved';
      baseUrl: string;
      headUrl: string;
      maxDrop: number;
      pairs: number;
      maxPairs: number;
      seed: number;
      seedText: string;
      cooldownMs: number;
    }
  | { mode: 'baseline'; baselineFile: string; headUrl: string | null; maxDrop: number; noise: number; cooldownMs: number };

/** "15%" or "0.15" -> 0.15; undefined when it is neither, or outside (0, 1) / [0, 1). */
export function parseFraction(text: string, allowZero = false): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const v = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  if (!m[2] && v >= 1) return undefined; // "15" is ambiguous: 15% or 15x?
  return (allowZero ? v >= 0 : v > 0) && v < 1 ? v : undefined;
}

function int(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

export function parseGateOptions(
  raw: RawGateOptions,
  env: NodeJS.ProcessEnv = {},
): { options: GateOptions; problems: [] } | { options: null; problems: string[] } {
  const problems: string[] = [];
  const bad = (opt: string, what: string, got: unknown) => problems.push(`${opt}: ${what}, got ${renderGot(got)}`);

  const maxDrop = raw.maxDrop === undefined ? DEFAULT_MAX_DROP : parseFraction(raw.maxDrop);
  if (maxDrop === undefined) bad('--max-drop', 'must be a percentage between 0% and 100% (e.g. 15%) or a fraction (e.g. 0.15)', raw.maxDrop);
  const cooldownMs = raw.cooldown === undefined ? DEFAULT_COOLDOWN_MS : parseDuration(raw.cooldown);
  if (cooldownMs === undefined || cooldownMs > 600_000) bad('--cooldown', 'must be a duration up to 10m (e.g. 2s, 500ms)', raw.cooldown);
  for (const [opt, v] of [
    ['--base', raw.base],
    ['--head', raw.head],
  ] as const) {
    if (v !== undefined && !isHttpUrl(v)) bad(opt, 'must be an http:// or https:// URL', v);
  }

  if (raw.baseline !== undefined) {
    if (raw.base !== undefined) bad('--base', 'cannot be combined with --baseline (the stored run is the base)', raw.base);
    if (raw.pairs !== undefined) bad('--pairs', 'only applies to interleaved gates (--base and --head)', raw.pairs);
    if (raw.maxPairs !== undefined) bad('--max-pairs', 'only applies to interleaved gates (--base and --head)', raw.maxPairs);
    if (raw.seed !== undefined) bad('--seed', 'only applies to interleaved gates (--base and --head)', raw.seed);
    const noise = raw.noise === undefined ? DEFAULT_ASSUMED_NOISE : parseFraction(raw.noise, true);
    if (noise === undefined) bad('--noise', 'must be a percentage between 0% and 100% (e.g. 5%) or a fraction (e.g. 0.05)', raw.noise);
    if (problems.length > 0 || maxDrop === undefined || noise === undefined || cooldownMs === undefined) return { options: null, problems };
    return { options: { mode: 'baseline', baselineFile: raw.baseline, headUrl: raw.head ?? null, maxDrop, noise, cooldownMs }, problems: [] };
  }

  if (raw.base === undefined && raw.head === undefined) {
    problems.push('--base, --head: give both (interleaved pairs) or --baseline <summary.json> (one head run against a stored run), got neither');
  } else if (raw.base === undefined) {
    bad('--base', 'is required with --head (or use --baseline)', raw.base);
  } else if (raw.head === undefined) {
    bad('--head', 'is required with --base', raw.head);
  }
  if (raw.noise !== undefined) bad('--noise', 'only applies with --baseline (interleaved gates measure the noise)', raw.noise);
  const parsedPairs = int(raw.pairs, DEFAULT_PAIRS);
  const pairs = parsedPairs !== undefined && parsedPairs >= 2 && parsedPairs <= PAIRS_CAP ? parsedPairs : undefined;
  if (pairs === undefined) bad('--pairs', `must be a whole number from 2 (a confidence interval needs 2) to ${PAIRS_CAP}`, raw.pairs);
  const maxPairs = int(raw.maxPairs, Math.max(DEFAULT_MAX_PAIRS, pairs ?? 0));
  if (maxPairs === undefined || maxPairs > PAIRS_CAP) bad('--max-pairs', `must be a whole number up to ${PAIRS_CAP}`, raw.maxPairs);
  else if (pairs !== undefined && maxPairs < pairs) bad('--max-pairs', `must be at least --pairs (${pairs})`, raw.maxPairs);
  if (problems.length > 0 || maxDrop === undefined || cooldownMs === undefined || pairs === undefined || maxPairs === undefined)
    return { options: null, problems };

  // Reproducible order: the commit in CI, else a fresh random seed (recorded in gate.json).
  const seedText = raw.seed ?? env.GITHUB_SHA ?? String(Math.floor(Math.random() * 2 ** 32));
  return {
    options: {
      mode: 'interleaved',
      baseUrl: raw.base as string,
      headUrl: raw.head as string,
      maxDrop,
      pairs,
      maxPairs,
      seed: seedFromString(seedText),
      seedText,
      cooldownMs,
    },
    problems: [],
  };
}
