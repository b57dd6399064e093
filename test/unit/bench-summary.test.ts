import { describe, expect, it } from 'vitest';
import { summarize } from '../../bench/summary.js';
import { cv } from '../../bench/lib/bench-run.js';

describe('bench summary of the issue targets', () => {
  it('lists every target: met, not met, not judged, failed, or not run', () => {
    const rows = summarize({
      accuracy: { title: 'a', rows: [], targets: [{ target: 'accuracy', measured: '1.9%', met: true }] },
      'stop-latency': { title: 's', rows: [], targets: [{ target: 'stop', measured: '120 ms', met: false }] },
      memory: { title: 'm', rows: [], targets: [{ target: 'rss', measured: '90 MB at 6000 req/s', met: null }] },
      'false-stops': { error: 'Error: boom\n    at x' },
    });
    const by = Object.fromEntries(rows.map((r) => [r.bench, r]));
    expect(by.accuracy?.result).toBe('met');
    expect(by['stop-latency']?.result).toBe('not met');
    expect(by.memory?.result).toBe('not judged');
    expect(by['false-stops']).toMatchObject({ result: 'failed', measured: 'Error: boom' });
    expect(by['time-to-answer']?.result).toBe('not run');
    expect(rows.map((r) => r.bench)).toEqual(['accuracy', 'time-to-answer', 'stop-latency', 'paced-engine', 'closed-loop', 'memory', 'false-stops']);
  });

  it('CV is the sample SD over the mean, 0 for identical or single runs', () => {
    expect(cv([100, 100, 100])).toBe(0);
    expect(cv([100])).toBe(0);
    expect(cv([90, 100, 110])).toBeCloseTo(0.1, 10);
  });
});
