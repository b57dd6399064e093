import { z } from 'zod';

// Go's time.ParseDuration form (what users of k6, vegeta, hey and ghz write): one or more
// <number><unit> parts, e.g. "1m30s", "1h2m", "1.5s", "500ms", ".5s". Units ns, us/µs, ms, s, m, h.
// Negative durations and a bare number in a string are refused (a bare number is ms only as a number).
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses "500ms", "1.5s", "1m30s", "1h2m", "10m" or a number of milliseconds. Returns undefined when invalid. */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (text === '') return undefined;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    at = PART.lastIndex;
    // Parts may be separated by spaces ("1m 30s"); anything else is not a duration.
    while (text[at] === ' ') at++;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Up to 3 decimals, trailing zeros dropped. */
function trim(x: number): string {
  return String(Number(x.toFixed(3)));
}

/**
 * One style for every duration shown to people, Go's compound form without zero parts:
 * "500ms", "1.5s", "2m", "2m27.5s", "1h7m", "1h6m54.5s". parseDuration reads it back.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${trim(ms)}ms`;
  const whole = Math.round(ms);
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor((whole % 3_600_000) / 60_000);
  const s = (whole % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${trim(s)}s` : ''}`;
}

/** A zod type for durations: accepts "5s"-style strings (Go's form, "1m30s") or ms numbers, yields ms. */
export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'not a duration (use e.g. 500ms, 5s, 1m30s, 1h or a number of ms)', input: v });
    return z.NEVER;
  }
  return ms;
});
