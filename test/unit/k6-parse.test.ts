// Parser tests on real k6 v0.48 outputs (test/fixtures/k6, copied from shared/reference/k6-v0.48).
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, appendFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseK6Line, parseK6Time, pointMetricOf } from '../../src/k6/k6-lines.js';
import { eventOfLine, newLineStats, transportKind, type K6Event } from '../../src/k6/k6-events.js';
import { FileTail, readLines } from '../../src/k6/line-reader.js';
import { classifyK6Exit, crossedThresholds, parseThresholdAbort } from '../../src/k6/k6-exit.js';
import { StepGrid, WindowCell } from '../../src/k6/window-cell.js';

const FIX = new URL('../fixtures/k6/', import.meta.url);
const fixture = (name: string) => readFile(new URL(name, FIX), 'utf8');

async function eventsOf(lines: string[]) {
  const stats = newLineStats();
  const events: K6Event[] = [];
  for (const l of lines) {
    const ev = eventOfLine(l, stats);
    if (ev) events.push(ev);
  }
  return { stats, events };
}

describe('k6 JSON lines (real v0.48 output)', () => {
  it('parses RFC 3339 times with nanoseconds and offsets to epoch ms', () => {
    expect(parseK6Time('2026-11-22T06:14:02.667103814Z')).toBeCloseTo(Date.UTC(2026, 10, 22, 6, 14, 2, 667) + 0.103814, 4);
    expect(parseK6Time('2026-11-22T07:14:02.5+01:00')).toBe(Date.UTC(2026, 10, 22, 6, 14, 2, 500));
    expect(parseK6Time('2026-11-22T06:14:02Z')).toBe(Date.UTC(2026, 10, 22, 6, 14, 2));
    expect(parseK6Time('yesterday')).toBeNaN();
  });

  it('reads Metric declarations and Points of the HTTP output', async () => {
    const lines = (await fixture('out-json.first40.jsonl')).trim().split('\n');
    expect(lines).toHaveLength(40);
    const parsed = lines.map(parseK6Line);
    const metrics = parsed.filter((p) => p.kind === 'metric');
    const points = parsed.filter((p) => p.kind === 'point');
    expect(metrics.length + points.length).toBe(40);
    expect(metrics.map((m) => m.metric)).toContain('http_req_duration');
    const first = parsed.find((p) => p.kind === 'point' && p.metric === 'http_req_duration');
    expect(first).toMatchObject({ kind: 'point', value: 1.329798, tags: { status: '200', scenario: 'ramp', method: 'GET' } });
  });

  it('reads the metric name from the prefix of every real Point line', async () => {
    const lines = (await fixture('out-json.first40.jsonl')).trim().split('\n');
    for (const l of lines) {
      const p = parseK6Line(l);
      expect(pointMetricOf(l)).toBe(p.kind === 'point' ? p.metric : null);
    }
  });

  it('turns each http_req_duration point into one response event; ignores the other metrics', async () => {
    const lines = (await fixture('out-json.first40.jsonl')).trim().split('\n');
    const { stats, events } = await eventsOf(lines);
    const durations = lines.filter((l) => l.startsWith('{"metric":"http_req_duration"'));
    expect(durations).toHaveLength(2);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'response', ok: true, latencyMs: 1.329798, step: null });
    expect(events[1]?.latencyMs).toBe(0.92537);
    expect(stats.malformed).toBe(0);
    expect(stats.lines).toBe(40);
  });

  it('reads gRPC points: status 0 is a response, others carry grpc-<STATUS> kinds', async () => {
    const lines = (await fixture('grpc-out-json.first12.jsonl')).trim().split('\n');
    const { events } = await eventsOf(lines);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'response', ok: true, latencyMs: 976.571235 });
    const unavailable = lines[1]!.replace('"status":"0"', '"status":"14"');
    const internal = lines[1]!.replace('"status":"0"', '"status":"13"');
    const more = await eventsOf([unavailable, internal]);
    expect(more.events.map((e) => [e.type, e.kind])).toEqual([
      ['failed', 'grpc-UNAVAILABLE'],
      ['response', 'grpc-INTERNAL'],
    ]);
  });

  it('tolerates metadata, unknown metrics, other key orders, blank and malformed lines', async () => {
    const base = JSON.parse((await fixture('out-json.first40.jsonl')).split('\n')[3]!) as { data: Record<string, unknown> };
    const withMeta = JSON.stringify({ metric: 'http_req_duration', type: 'Point', data: { ...base.data, metadata: { trace_id: 'abc' } } });
    const reordered = JSON.stringify({
      type: 'Point',
      data: { ...base.data, tags: { ...(base.data.tags as object), critpoint_step: '3', critpoint_load: '450' } },
      metric: 'http_req_duration',
    });
    const unknown = '{"metric":"my_custom_trend","type":"Point","data":{"time":"2026-11-22T06:14:02.667103814Z","value":3,"tags":null}}';
    const { stats, events } = await eventsOf([
      withMeta,
      reordered,
      unknown,
      '',
      '{"type":"Something"}',
      'not json',
      '{"metric":"http_req_duration","type":"Point","data":{"value":1}}',
    ]);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ step: 3, load: 450 });
    expect(stats.malformed).toBe(2);
    expect(stats.malformedExamples[0]).toMatch(/^line 6: not JSON/);
    expect(stats.malformedExamples[1]).toMatch(/^line 7: Point of http_req_duration without a valid time/);
  });

  it('classifies transport failures (status 0) by k6 error_code, 4xx/5xx by status', async () => {
    expect(transportKind('1050')).toBe('timeout');
    expect(transportKind('1211')).toBe('timeout');
    expect(transportKind('1212')).toBe('connection');
    expect(transportKind('1101')).toBe('connection');
    expect(transportKind(undefined)).toBe('other');
    const line = (await fixture('out-json.first40.jsonl')).split('\n')[3]!;
    const refused = line.replace('"status":"200"', '"status":"0","error_code":"1212"');
    const s503 = line.replace('"status":"200"', '"status":"503"');
    const { events } = await eventsOf([refused, s503]);
    expect(events.map((e) => [e.type, e.kind, e.ok])).toEqual([
      ['failed', 'connection', false],
      ['response', 'http-5xx', false],
    ]);
  });
});

describe('merging real output split between two runners', () => {
  it('cells of the two halves (alternate lines) merge into the cells of the whole', async () => {
    const lines = [...(await fixture('out-json.first40.jsonl')).trim().split('\n'), ...(await fixture('grpc-out-json.first12.jsonl')).trim().split('\n')];
    const cellsOf = async (ls: string[]) => {
      const { events } = await eventsOf(ls);
      const grid = new StepGrid(Date.parse('2026-11-22T06:14:00Z'), 1000, 0, 120_000);
      const cells: WindowCell[] = [];
      for (const e of events) (cells[grid.indexOf(e.t)] ??= new WindowCell()).add(e);
      return cells;
    };
    const whole = await cellsOf(lines);
    const a = await cellsOf(lines.filter((_, i) => i % 2 === 0));
    const b = await cellsOf(lines.filter((_, i) => i % 2 === 1));
    const merged: WindowCell[] = [];
    for (const part of [a, b]) part.forEach((c, i) => (merged[i] ??= new WindowCell()).merge(c));
    const view = (cs: WindowCell[]) =>
      cs.map((c, i) => c && [i, c.completed, c.ok, c.latency.totalCount, c.latency.maxValue, c.latency.getValueAtPercentile(99)]).filter(Boolean);
    expect(view(merged)).toEqual(view(whole));
    expect(view(whole).length).toBe(2); // the HTTP second and the gRPC second
  });
});

describe('streaming readers', () => {
  it('reads plain and gzipped files line by line (gzip found by its magic bytes, not its name)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-lines-'));
    const text = await fixture('out-json.first40.jsonl');
    await writeFile(join(dir, 'plain.json'), text);
    await writeFile(join(dir, 'zipped.json'), gzipSync(text));
    const plain: string[] = [];
    for await (const l of readLines(join(dir, 'plain.json'))) plain.push(l);
    const zipped: string[] = [];
    for await (const l of readLines(join(dir, 'zipped.json'))) zipped.push(l);
    expect(plain).toHaveLength(40);
    expect(zipped).toEqual(plain);
  });

  it('FileTail hands over complete lines only, as the file grows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-tail-'));
    const path = join(dir, 'out.json');
    const tail = new FileTail(path);
    expect(await tail.poll()).toEqual([]); // not created yet
    await writeFile(path, '{"a":1}\n{"b":');
    expect(await tail.poll()).toEqual(['{"a":1}']);
    await appendFile(path, '2}\n{"c":"é');
    expect(await tail.poll()).toEqual(['{"b":2}']);
    await appendFile(path, '"}');
    expect(await tail.drain()).toEqual(['{"c":"é"}']);
    await tail.close();
  });
});

describe('k6 exit codes and the abort line', () => {
  it('parses the real abort stderr line (exit code 99)', async () => {
    const stderr = await fixture('abort.stderr.txt');
    const abort = parseThresholdAbort(stderr);
    expect(abort?.metrics).toEqual(['checks', 'http_req_failed']);
    expect(abort?.message).toMatch(/^thresholds on metrics 'checks, http_req_failed' were crossed; at least one has abortOnFail enabled/);
    const out = classifyK6Exit({ code: 99, stopRequested: false, stderrTail: stderr });
    expect(out).toMatchObject({ kind: 'stop', reason: 'breach' });
    expect(out.detail).toContain('thresholds on checks, http_req_failed were crossed (exit 99)');
  });

  it.each([
    ['finished', 0, false, 'ok', undefined],
    ['REST stop critpoint asked for', 103, true, 'ok', undefined],
    ['REST stop nobody asked for', 103, false, 'stop', 'interrupted'],
    ['fallback signal critpoint sent', 105, true, 'ok', undefined],
    ['signal from outside', 105, false, 'stop', 'interrupted'],
    ['test.abort() in the script', 108, false, 'stop', 'error'],
    ['invalid config', 104, false, 'stop', 'error'],
    ['REST API port taken', 106, true, 'stop', 'error'],
  ] as const)('%s: exit %i', (_name, code, requested, kind, reason) => {
    const out = classifyK6Exit({ code, stopRequested: requested, stderrTail: 'time="x" level=error msg="boom"' });
    expect(out.kind).toBe(kind);
    expect(out.reason).toBe(reason);
  });

  it('reads the crossed thresholds of real --summary-export files (true = crossed)', async () => {
    expect(crossedThresholds(JSON.parse(await fixture('summary-export.json')))).toEqual([]);
    expect(crossedThresholds(JSON.parse(await fixture('summary-export.abort.json')))).toEqual(['checks: rate>0.9', 'http_req_failed: rate<0.5']);
    expect(crossedThresholds(null)).toEqual([]);
  });

  it('a kill by signal is fine only when critpoint asked for the stop', () => {
    expect(classifyK6Exit({ code: null, signal: 'SIGKILL', stopRequested: true }).kind).toBe('ok');
    expect(classifyK6Exit({ code: null, signal: 'SIGKILL', stopRequested: false })).toMatchObject({ kind: 'stop', reason: 'interrupted' });
  });
});
