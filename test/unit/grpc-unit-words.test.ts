// A gRPC rate is in calls per second in every sentence critpoint writes (the
// plan, the stop details), while the data keep the load unit 'req/s'.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';
import { unitWords } from '../../src/load/concurrency-ramp.js';
import { drive, scriptedScenario } from '../helpers/scripted-search.js';

const PROTO = fileURLToPath(new URL('../../scenarios/protos/work.proto', import.meta.url));

describe('gRPC load in calls/s', () => {
  it('unitWords: calls/s for a gRPC rate, the load unit otherwise', () => {
    expect([unitWords('rate', true), unitWords('concurrency', true), unitWords('rate', false)]).toEqual(['calls/s', 'connections', 'req/s']);
  });

  it('the plan of a gRPC scenario says calls/s', async () => {
    let err = '';
    const code = await runCli(['run', 'grpc://127.0.0.1:9090/loadtarget.Work/Do', '--set', `grpc.proto=${PROTO}`, '--dry-run'], {
      stdout: () => undefined,
      stderr: (s) => void (err += s),
      env: {},
    });
    expect(code).toBe(0);
    expect(err).toMatch(/baseline: 100 calls\/s/);
    expect(err).toMatch(/ramp: [\d, ]+ calls\/s/);
    expect(err).not.toMatch(/req\/s/);
  });

  it("a gRPC run's stop detail says calls/s; its data keep req/s", () => {
    const base = scriptedScenario();
    const grpc = { ...base, grpc: { proto: PROTO, service: 'loadtarget.Work', method: 'Do' } } as unknown as typeof base;
    const t = drive(grpc, (load) => (load >= 1000 ? { p99: 60 } : {}));
    expect(t.stop.reason).toBe('breach');
    expect(t.stop.detail).toMatch(/^critical point \d+ calls\/s: .* at \d+ calls\/s$/);
    expect(t.steps[0]!.unit).toBe('req/s');
  });
});
