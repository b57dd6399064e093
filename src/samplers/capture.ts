// Evidence capture at a confirmed breach: the full goroutine dump and the heap
// profile of a Go target, saved as files. Never throws: a profile that cannot
// be captured becomes a warning, since evidence is a bonus, not the result.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveEndpoint } from './endpoint.js';
import { httpGet, type HttpGetOptions } from './http-get.js';
import type { CaptureKind } from './types.js';
import type { EvidenceFile } from '../types.js';

/** What each kind fetches (relative to the target url) and the file it is saved as. */
export const CAPTURE_SOURCES: Readonly<Record<CaptureKind, { endpoint: string; file: string }>> = {
  goroutine: { endpoint: '/debug/pprof/goroutine?debug=2', file: 'goroutine-debug2.txt' },
  heap: { endpoint: '/debug/pprof/heap', file: 'heap.pb.gz' },
};

/** Largest profile saved, bytes. */
const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

export interface CaptureResult {
  /** Saved files; `path` is the file name inside `dir`. */
  files: EvidenceFile[];
  /** One line per kind that could not be saved: "heap: HTTP 404 from http://...". */
  warnings: string[];
}

/**
 * Fetches each kind (in parallel, each bounded by timeoutMs) and writes it into dir
 * atomically (temp file + rename). Creates dir when needed.
 */
export async function captureEvidence(
  targetUrl: string,
  kinds: readonly CaptureKind[],
  dir: string,
  timeoutMs: number,
  options: Pick<HttpGetOptions, 'dispatcher'> = {},
): Promise<CaptureResult> {
  const files: EvidenceFile[] = [];
  const warnings: string[] = [];
  const unique = [...new Set(kinds)];
  if (unique.length === 0) return { files, warnings };
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    return { files, warnings: unique.map((k) => `${k}: cannot create ${dir}: ${message(err)}`) };
  }
  const results = await Promise.all(unique.map((kind) => captureOne(targetUrl, kind, dir, timeoutMs, options)));
  for (const r of results) {
    if ('warning' in r) warnings.push(r.warning);
    else files.push(r.file);
  }
  return { files, warnings };
}

async function captureOne(
  targetUrl: string,
  kind: CaptureKind,
  dir: string,
  timeoutMs: number,
  options: Pick<HttpGetOptions, 'dispatcher'>,
): Promise<{ file: EvidenceFile } | { warning: string }> {
  const source = CAPTURE_SOURCES[kind];
  let url: URL;
  try {
    url = resolveEndpoint(source.endpoint, targetUrl);
  } catch (err) {
    return { warning: `${kind}: ${message(err)}` };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
  let bytes: Buffer;
  try {
    bytes = await httpGet(url, controller.signal, { ...options, maxBytes: MAX_PROFILE_BYTES });
  } catch (err) {
    return { warning: `${kind}: ${message(err)} from ${url.href}` };
  } finally {
    clearTimeout(timer);
  }
  const path = join(dir, source.file);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    return { warning: `${kind}: cannot write ${path}: ${message(err)}` };
  }
  return { file: { kind, path: source.file, bytes: bytes.length } };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
