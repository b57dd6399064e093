import { describe, expect, it } from 'vitest';
import { littlesLaw, littlesLawSummary } from '../../src/stats/littles-law.js';
import { win } from '../helpers/windows.js';

describe('littlesLaw (in-flight ~ throughput x mean latency)', () => {
  const cases = [
    { name: '8 in flight, 800/s at 10 ms: holds exactly', windows: [{ meanInFlight: 8, completed: 800, mean: 10 }], ratio: 1, holds: true },
    { name: '8 in flight, 800/s at 10.5 ms: within 10%', windows: [{ meanInFlight: 8, completed: 800, mean: 10.5 }], ratio: 1.05, holds: true },
    { name: '8 in flight, 800/s at 12 ms: 20% off', windows: [{ meanInFlight: 8, completed: 800, mean: 12 }], ratio: 1.2, holds: false },
    {
      name: 'weights windows by duration and latency by completions',
      windows: [
        { meanInFlight: 4, completed: 400, mean: 10 },
        { meanInFlight: 12, completed: 1200, mean: 10 },
      ],
      ratio: 1,
      holds: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = littlesLaw(c.windows.map((w, i) => win({ tStart: i * 1000, tEnd: (i + 1) * 1000, ...w })))!;
      expect(r.ratio).toBeCloseTo(c.ratio, 6);
      expect(r.holds).toBe(c.holds);
    });
  }
  it('warm-up windows and windows without in-flight data are left out', () => {
    expect(littlesLaw([win({ warmup: true, meanInFlight: 8 }), win({ meanInFlight: undefined })])).toBeUndefined();
    const r = littlesLaw([
      win({ warmup: true, meanInFlight: 100, completed: 10, mean: 1 }),
      win({ tStart: 1000, tEnd: 2000, meanInFlight: 5, completed: 500, mean: 10 }),
    ])!;
    expect(r.inFlight).toBe(5);
    expect(r.throughput).toBe(500);
    expect(r.predicted).toBeCloseTo(5, 9);
  });
  it('summary counts the steps that hold and names the furthest', () => {
    const s = littlesLawSummary([
      { index: 0, littlesLaw: { inFlight: 1, throughput: 100, meanLatencyMs: 10, predicted: 1, ratio: 1, holds: true, tolerance: 0.1 } },
      { index: 1 },
      { index: 2, littlesLaw: { inFlight: 10, throughput: 100, meanLatencyMs: 130, predicted: 13, ratio: 1.3, holds: false, tolerance: 0.1 } },
    ]);
    expect(s).toMatchObject({ steps: 2, holding: 1 });
    expect(s.detail).toMatch(/on 1 of 2 steps \(furthest: step 2,/);
  });
});
