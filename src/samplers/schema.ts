// The `runtime` block of a scenario: runtime endpoints of the target sampled
// next to the load. This file is the one home of the samplers' defaults.
//
//   runtime:
//     interval: 1s
//     timeout: 500ms
//     signals:
//       - name: goroutines
//         source: { pprof: /debug/pprof/goroutine?debug=1 }
//         detect: { minRatio: 1.5, rising: true }
//       - name: inflight
//         source: { prometheus: /metrics, metric: http_inflight_requests, labels: { handler: work } }
//     capture: [goroutine, heap]
import { z } from 'zod';
import { duration } from '../scenario/duration.js';
import { isHttpUrl } from '../scenario/http-url.js';
import type { RuntimeConfig, RuntimeSignalConfig, SignalDetect, SignalSource } from './types.js';

/** Names the detector already uses for the client-side signals. */
const RESERVED_NAMES = ['p99', 'errors', 'throughput'];
const SOURCE_KEYS = ['pprof', 'expvar', 'prometheus', 'json'] as const;
type SourceKey = (typeof SOURCE_KEYS)[number];

/** A path starting with "/" (resolved against the target url) or a full http(s) URL. */
const endpoint = z.string().refine((s) => s.startsWith('/') || isHttpUrl(s), {
  message: 'must be a path starting with / or an http(s):// URL',
});

/** Dot path into a JSON document: "memstats.HeapAlloc"; integer segments index arrays ("memstats.PauseNs.0"). */
const dotPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, { message: 'must be a dot path such as memstats.HeapAlloc' });

/**
 * Prometheus metric name: the exposition name of one series family member,
 * e.g. go_goroutines, http_requests_total, rpc_duration_seconds_sum.
 * Dotted UTF-8 names (Prometheus 3 quoted form) are accepted too.
 */
const metricName = z.string().regex(/^[^\s{}"=,]+$/, { message: 'must be a metric name such as go_goroutines' });
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a label name' });

/** One of the four source forms; normalised to a SignalSource with a `kind`. */
export const sourceSchema = z
  .strictObject({
    pprof: endpoint.optional().meta({
      description:
        'Go goroutine profile, text form (first line "goroutine profile: total N"); ?debug=1 is added when absent. A path (against target.url) or an http(s) URL. Default: none (a source is exactly one of pprof, expvar, prometheus, json).',
      unit: 'goroutines',
    }),
    expvar: endpoint
      .optional()
      .meta({ description: "expvar JSON (Go's /debug/vars); needs field. A path or an http(s) URL. Default: none.", unit: "the field's" }),
    prometheus: endpoint.optional().meta({
      description:
        'Prometheus text exposition (/metrics); needs metric. Gauges are read as values, counters as per-second rates. A path or an http(s) URL. Default: none.',
      unit: "the metric's (counters per second)",
    }),
    json: endpoint
      .optional()
      .meta({ description: 'Any JSON document; needs field, which must hold a number. A path or an http(s) URL. Default: none.', unit: "the field's" }),
    field: dotPath.optional().meta({
      description:
        'expvar / json: dot path of the number, e.g. memstats.HeapAlloc (integer segments index arrays). Default: none (required with expvar and json).',
    }),
    metric: metricName.optional().meta({
      description:
        'prometheus: sample name, e.g. go_goroutines, or foo_sum / foo_count / foo_bucket of a histogram or summary; several matching series are summed. Default: none (required with prometheus).',
    }),
    labels: z
      .record(labelName, z.string())
      .optional()
      .meta({ description: 'prometheus: exact label matchers; a series may carry more labels. Default: {} (every series of the metric).' }),
  })
  .transform((src, ctx): SignalSource => {
    const present = SOURCE_KEYS.filter((k) => src[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `exactly one of ${SOURCE_KEYS.join(', ')} is required${present.length > 1 ? ` (found ${present.join(', ')})` : ''}`,
      });
      return z.NEVER;
    }
    const key = present[0] as SourceKey;
    const url = src[key] as string;
    const misplaced = (field: 'field' | 'metric' | 'labels', allowed: SourceKey[]): boolean => {
      if (src[field] === undefined || allowed.includes(key)) return false;
      ctx.addIssue({ code: 'custom', path: [field], message: `only allowed with ${allowed.join(' or ')}` });
      return true;
    };
    const required = (field: 'field' | 'metric'): boolean => {
      if (src[field] !== undefined) return false;
      ctx.addIssue({ code: 'custom', path: [field], message: `required with ${key}` });
      return true;
    };
    let bad = misplaced('field', ['expvar', 'json']);
    bad = misplaced('metric', ['prometheus']) || bad;
    bad = misplaced('labels', ['prometheus']) || bad;
    if (key === 'pprof') {
      const debug = debugParam(url);
      if (debug !== null && debug !== '1') {
        ctx.addIssue({ code: 'custom', path: ['pprof'], message: 'the goroutine count needs the text profile ?debug=1' });
        bad = true;
      }
    }
    if (key === 'expvar' || key === 'json') bad = required('field') || bad;
    if (key === 'prometheus') bad = required('metric') || bad;
    if (bad) return z.NEVER;
    switch (key) {
      case 'pprof':
        return { kind: 'pprof-goroutine', endpoint: url };
      case 'expvar':
        return { kind: 'expvar', endpoint: url, field: src.field as string };
      case 'json':
        return { kind: 'json', endpoint: url, field: src.field as string };
      case 'prometheus':
        return { kind: 'prometheus', endpoint: url, metric: src.metric as string, labels: src.labels ?? {} };
    }
  });

export const detectInputSchema = z.strictObject({
  minRatio: z.number().gt(1, { message: 'must be greater than 1' }).optional().meta({
    description:
      'Practical floor: a breach also needs the value to reach minRatio x the baseline median (direction down: fall to median / minRatio). Default 1.5 for pprof sources, 2 otherwise.',
    unit: 'ratio',
  }),
  rising: z.boolean().optional().meta({
    description:
      'Also require the value to keep rising (falling for direction down) inside the constant-load step. Default true for pprof sources, false otherwise.',
  }),
  enabled: z.boolean().optional().meta({ description: 'true: a breach of this signal stops the run; false: sampled and charted only. Default true.' }),
  direction: z.enum(['up', 'down']).optional().meta({ description: 'Which way is bad. Default up.' }),
});

/** Fills detect defaults, which depend on the source kind. */
export function resolveDetect(input: z.output<typeof detectInputSchema> | undefined, kind: SignalSource['kind']): SignalDetect {
  const pprof = kind === 'pprof-goroutine';
  return {
    minRatio: input?.minRatio ?? (pprof ? 1.5 : 2),
    rising: input?.rising ?? pprof,
    enabled: input?.enabled ?? true,
    direction: input?.direction ?? 'up',
  };
}

export const signalSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { message: 'must start with a letter and use only letters, digits, "_", "-" and "."' })
      .refine((n) => !RESERVED_NAMES.includes(n), { message: `${RESERVED_NAMES.join(', ')} are reserved for the client-side signals` })
      .meta({ description: 'Unique name (starts with a letter; letters, digits, "_", "-", "."): the runtime.csv column. Not p99, errors or throughput.' }),
    source: sourceSchema.meta({
      description: 'Where to read it: exactly one of { pprof }, { expvar, field }, { prometheus, metric, labels? }, { json, field }.',
    }),
    detect: detectInputSchema.optional().meta({ description: "This signal's breach rule. Default: each field's default for the source kind." }),
  })
  .transform((s): RuntimeSignalConfig => ({ name: s.name, source: s.source, detect: resolveDetect(s.detect, s.source.kind) }));

export const runtimeSchema = z.strictObject({
  interval: duration
    .refine((ms) => ms >= 10, { message: 'must be at least 10ms' })
    .prefault('1s')
    .meta({ description: 'Time between two samples of each signal; at least 10ms.', unit: 'duration' }),
  timeout: duration
    .refine((ms) => ms > 0, { message: 'must be greater than 0' })
    .prefault('500ms')
    .meta({
      description:
        "Per-sample timeout; more than 0. May exceed interval: a tick that finds the signal's previous sample still pending is recorded as a gap instead of a second request.",
      unit: 'duration',
    }),
  signals: z
    .array(signalSchema)
    .superRefine((signals, ctx) => {
      const seen = new Set<string>();
      signals.forEach((s, i) => {
        if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'duplicate signal name' });
        seen.add(s.name);
      });
    })
    .prefault([])
    .meta({ description: 'Signals to sample, each a stop signal unless its detect.enabled is false.' }),
  capture: z
    .array(z.enum(['goroutine', 'heap']))
    .default([])
    .meta({
      description:
        "Go evidence profiles saved at a confirmed breach (and with run --capture-at-end): goroutine (debug=2 text), heap (pprof protobuf), from the target's /debug/pprof/.",
    }),
});

export type RuntimeConfigInput = z.input<typeof runtimeSchema>;

// Compile-time check: the schema's output is exactly the hand-written contract in types.ts.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _outputMatchesContract: Same<z.output<typeof runtimeSchema>, RuntimeConfig> = true;
void _outputMatchesContract;

function debugParam(endpointText: string): string | null {
  const u = new URL(endpointText, 'http://placeholder.invalid');
  return u.searchParams.get('debug');
}
