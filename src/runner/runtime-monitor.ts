// The runner's side of runtime sampling: runs the SamplingLoop next to the
// load (never awaited by it), puts each window's sampled values into the
// window, waits for the target to drain back near its baseline between
// steps, and captures evidence at the breach.
import { join } from 'node:path';
import { Agent } from 'undici';
import type { Baseline, EvidenceFile, RuntimeSample, SamplerHealth, WindowStats } from '../types.js';
import type { RuntimeConfig } from '../samplers/types.js';
import { SamplingLoop } from '../samplers/sampling-loop.js';
import { captureEvidence } from '../samplers/capture.js';

export const EVIDENCE_DIR = 'evidence';

export class RuntimeMonitor {
  private readonly loop: SamplingLoop | null;
  /** The run's own connections to runtime endpoints: closed by stop(), so a run leaves no socket open. */
  private readonly agent: Agent | null;

  constructor(
    private readonly rt: RuntimeConfig | undefined,
    private readonly targetUrl: string,
    now: () => number,
  ) {
    const active = rt !== undefined && (rt.signals.length > 0 || rt.capture.length > 0);
    this.agent = active ? new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 10_000 }) : null;
    const samplerOptions = this.agent ? { dispatcher: this.agent } : undefined;
    this.loop =
      rt && rt.signals.length > 0
        ? new SamplingLoop({ signals: rt.signals, intervalMs: rt.interval, timeoutMs: rt.timeout, targetUrl, now, samplerOptions })
        : null;
  }

  get active(): boolean {
    return this.loop !== null;
  }

  start(): void {
    this.loop?.start();
  }

  /** The window with the last value sampled inside it of each signal (null = a gap): a new object, the engine's window is left as emitted. */
  annotated(w: WindowStats): WindowStats {
    if (!this.loop || !this.rt) return w;
    const runtime: Record<string, number | null> = { ...w.runtime };
    for (const s of this.rt.signals) runtime[s.name] = this.loop.latestInRange(s.name, w.tStart, w.tEnd);
    return { ...w, runtime };
  }

  /** Latest value of a signal at any time, or null. */
  private latest(signal: string): number | null {
    const samples = this.loop?.samples() ?? [];
    for (let i = samples.length - 1; i >= 0; i--) {
      const s = samples[i] as RuntimeSample;
      if (s.signal === signal && s.value !== null) return s.value;
    }
    return null;
  }

  /** Waits (bounded) until every runtime stop signal is back inside its robust band. Returns true when drained. */
  async waitNearBaseline(baseline: Baseline | null, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const rt = this.rt;
    if (!this.loop || !rt || !baseline) return true;
    const watched = rt.signals.filter((s) => s.detect.enabled && baseline.signals[s.name]);
    const deadline = Date.now() + timeoutMs;
    const near = () =>
      watched.every((s) => {
        const b = baseline.signals[s.name]!;
        const v = this.latest(s.name);
        if (v === null) return true;
        return b.direction === 'up' ? v <= b.robustThreshold : v >= b.robustThreshold;
      });
    while (!near()) {
      if (Date.now() >= deadline || signal.aborted) return false;
      await new Promise((r) => setTimeout(r, Math.min(rt.interval, 250)));
    }
    return true;
  }

  /** A last reading of every endpoint and, where asked and exposed, goroutine and heap profiles. */
  async capture(runDir: string | null): Promise<{ files: EvidenceFile[]; warnings: string[] }> {
    if (this.loop) await this.loop.sampleOnce().catch(() => undefined);
    if (!runDir || !this.rt || this.rt.capture.length === 0) return { files: [], warnings: [] };
    const res = await captureEvidence(
      this.targetUrl,
      this.rt.capture,
      join(runDir, EVIDENCE_DIR),
      Math.max(this.rt.timeout, 5_000),
      this.agent ? { dispatcher: this.agent } : {},
    );
    return { files: res.files.map((f) => ({ ...f, path: `${EVIDENCE_DIR}/${f.path}` })), warnings: res.warnings };
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    await this.agent?.destroy().catch(() => undefined);
  }

  samples(): RuntimeSample[] {
    return this.loop?.samples() ?? [];
  }

  health(): SamplerHealth[] {
    return this.loop?.health() ?? [];
  }
}
