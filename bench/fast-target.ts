// A fast local target for generator benchmarks: the Go fixture's /fast route
// when the fixture is built (multi-threaded, cheap), else a Node server in a
// child process that answers at once.
import { spawnDemoTarget } from '../src/demo/spawn-demo-target.js';
import { goTargetAvailable, startGoTarget } from '../test/helpers/go-target.js';

export interface FastTarget {
  url: string;
  kind: string;
  stop(): Promise<void>;
}

export async function startFastTarget(): Promise<FastTarget> {
  if (goTargetAvailable()) {
    const t = await startGoTarget({ workers: 8, serviceTimeMs: 1 });
    return { url: `${t.url}/fast`, kind: 'Go fixture /fast', stop: () => t.stop() };
  }
  // 1000 slots x 0 ms: answers on the next timer tick.
  const t = await spawnDemoTarget(1000, 0.001);
  return { url: `${t.url}/work`, kind: 'Node demo target (no service time)', stop: () => t.stop() };
}
