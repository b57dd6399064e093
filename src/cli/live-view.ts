// The live view on a terminal: a small block at the bottom of stderr,
// redrawn in place a few times a second; finished steps and warnings scroll
// above it as plain lines. Only used when stderr is a TTY.
import type { ProgressEvent } from '../types.js';
import { initialLiveState, liveFrame, reduceLive, type FrameContext, type LiveState } from './live-state.js';
import { progressLine } from './human-summary.js';

export interface LiveViewOptions {
  write: (s: string) => void;
  columns: () => number;
  budgetMs: number;
  rampLoads: number[];
  refineSteps: number;
  color: boolean;
  /** Redraw period, ms. Default 250. */
  intervalMs?: number;
  now?: () => number;
}

/** Moves the cursor to the start of a block of n lines just written, and clears to the end of the screen. */
export const rewind = (n: number) => (n > 0 ? `\r\x1b[${n}A\x1b[J` : '\r\x1b[J');

export class LiveView {
  private state: LiveState = initialLiveState();
  private drawn = 0;
  private stopped = false;
  private scheduled = false;
  private above: string[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly t0: number;
  private readonly now: () => number;

  constructor(private readonly opts: LiveViewOptions) {
    const clockNow = opts.now ?? (() => performance.now());
    this.t0 = clockNow();
    this.now = () => clockNow() - this.t0;
  }

  start(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), this.opts.intervalMs ?? 250);
    this.timer.unref();
  }

  onEvent = (e: ProgressEvent): void => {
    this.state = reduceLive(this.state, e, this.now());
    // Finished steps and warnings stay on screen above the live block.
    const line = e.type === 'step-end' || e.type === 'warning' ? progressLine(e) : null;
    if (line !== null) this.above.push(line);
    if (e.type === 'phase' && e.phase === 'done') return this.stop();
    // Events of one tick (a phase and the step it starts) make one frame, so no passing state flashes.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.draw();
      });
    }
  };

  /** Clears the block and stops redrawing; the caller prints the final summary. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const text = `${!this.stopped && this.drawn > 0 ? rewind(this.drawn) : ''}${this.takeAbove()}`;
    this.stopped = true;
    this.drawn = 0;
    if (text) this.opts.write(text);
  }

  /**
   * Stops redrawing and leaves the last frame where it is: someone else wrote
   * to the terminal (the interrupt notice), so the block can no longer be found
   * by counting lines. Later step lines print below it.
   */
  detach(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.drawn = 0;
  }

  private takeAbove(): string {
    const text = this.above.map((l) => `${l}\n`).join('');
    this.above = [];
    return text;
  }

  private context(): FrameContext {
    return {
      now: this.now(),
      budgetMs: this.opts.budgetMs,
      rampLoads: this.opts.rampLoads,
      refineSteps: this.opts.refineSteps,
      columns: this.opts.columns(),
      color: this.opts.color,
    };
  }

  private draw(): void {
    if (this.stopped) {
      const late = this.takeAbove();
      if (late) this.opts.write(late);
      return;
    }
    const frame = liveFrame(this.state, this.context());
    const head = this.drawn > 0 ? rewind(this.drawn) : '';
    this.opts.write(`${head}${this.takeAbove()}${frame.join('\n')}\n`);
    this.drawn = frame.length;
  }
}
