// Progress on stderr while a run goes: a live view on a terminal, one plain
// line per step otherwise (CI), nothing with --quiet. stdout is never used.
import type { ProgressEvent } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { summarizePlan } from '../load/ramp-plan.js';
import { progressLine } from './human-summary.js';
import { LiveView } from './live-view.js';

export interface ProgressSink {
  onProgress(e: ProgressEvent): void;
  /** Ends the live view (idempotent); call before printing the summary. */
  stop(): void;
}

export interface ProgressIO {
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal: draw the live view. */
  stderrIsTTY?: boolean;
  /** Terminal width, when known. */
  stderrColumns?: () => number | undefined;
  /** Aborted on SIGINT/SIGTERM (after main.ts printed its notice). */
  signal?: AbortSignal;
}

export type ProgressMode = 'live' | 'plain' | 'none';

export function progressMode(io: ProgressIO, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  if (io.stderrIsTTY && io.env.TERM !== 'dumb') return 'live';
  return 'plain';
}

export function createProgress(io: ProgressIO, s: Scenario, quiet: boolean): ProgressSink {
  const mode = progressMode(io, quiet);
  if (mode === 'none') return { onProgress: () => undefined, stop: () => undefined };
  if (mode === 'plain') {
    return {
      onProgress: (e) => {
        const line = progressLine(e);
        if (line) io.stderr(`${line}\n`);
      },
      stop: () => undefined,
    };
  }
  const plan = summarizePlan(s);
  const view = new LiveView({
    write: io.stderr,
    columns: () => io.stderrColumns?.() || 80,
    budgetMs: s.load.maxDuration,
    rampLoads: plan.rampLoads,
    refineSteps: plan.refineSteps,
    color: io.env.NO_COLOR === undefined,
  });
  view.start();
  // main.ts prints the interrupt notice straight to stderr: keep the block and the notice both on screen.
  const detach = () => view.detach();
  io.signal?.addEventListener('abort', detach, { once: true });
  return {
    onProgress: view.onEvent,
    stop: () => {
      io.signal?.removeEventListener('abort', detach);
      view.stop();
    },
  };
}
