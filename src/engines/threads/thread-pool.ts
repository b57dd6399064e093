// One worker mechanism for every engine that runs load on threads (the
// closed loop's autocannon threads, the open loop's paced senders): start N
// typed modules (module-worker.ts), wait until each says it is ready, route
// each thread's messages to whoever runs on it now, and turn a thread that
// dies (an uncaught error, an exit nobody asked for) into one clear error
// for the step that runs on it and every later one, never a hang.
//
// Protocol every load thread follows: it posts { type: 'ready' } once, after
// loading what it needs; then it answers the engine's commands with its own
// typed messages.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker.js';

// Generous: a thread started from source (tsx) compiles its modules first, on a machine that may be busy.
const READY_TIMEOUT_MS = 30_000;

export interface ThreadPoolOptions {
  /** What the thread runs: a URL relative to the caller (the .js name; module-worker.ts picks the .ts under tsx). */
  module: URL;
  callerUrl: string;
  size: number;
  /** workerData of thread i. */
  init: (i: number) => unknown;
  /** A word for messages: 'load worker thread'. */
  label: string;
  readyTimeoutMs?: number;
}

interface Thread<Out> {
  worker: Worker;
  handler: ((m: Out) => void) | null;
  closing: boolean;
}

export class ThreadPool<In, Out extends { type: string }> {
  private readonly threads: Thread<Out>[];
  private readonly readyPromise: Promise<void>;
  /** Why the pool is unusable (a thread died), or null. */
  private deathReason: string | null = null;
  private readonly deadThreads = new Set<number>();
  private onDeath: ((reason: string) => void) | null = null;

  constructor(private readonly opts: ThreadPoolOptions) {
    const ready: Promise<void>[] = [];
    const timeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
    this.threads = Array.from({ length: opts.size }, (_, i) => {
      const worker = startModuleWorker(opts.module, opts.callerUrl, { workerData: opts.init(i) });
      const t: Thread<Out> = { worker, handler: null, closing: false };
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${opts.label} ${i + 1} of ${opts.size} not ready within ${timeoutMs} ms`)), timeoutMs);
          worker.once('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
          worker.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`${opts.label} ${i + 1} of ${opts.size} exited (code ${code}) before it was ready`));
          });
          worker.on('message', (m: Out) => {
            if (m.type === 'ready') {
              clearTimeout(timer);
              resolve();
            } else t.handler?.(m);
          });
        }),
      );
      worker.on('error', (err) => this.died(i, `failed: ${err.message}`));
      worker.on('exit', (code) => {
        if (!t.closing) this.died(i, `exited (code ${code})`);
      });
      return t;
    });
    this.readyPromise = Promise.all(ready).then(() => undefined);
    this.readyPromise.catch(() => undefined);
  }

  get size(): number {
    return this.threads.length;
  }

  /** Resolves once every thread is ready; rejects when one fails to start. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Why the pool cannot run load (a thread died), or null. */
  get dead(): string | null {
    return this.deathReason;
  }

  /** Thread i died (it will post nothing more). */
  isDead(i: number): boolean {
    return this.deadThreads.has(i);
  }

  private died(i: number, what: string): void {
    this.deadThreads.add(i);
    if (this.deathReason !== null) return;
    this.deathReason = `${this.opts.label} ${i + 1} of ${this.threads.length} ${what}`;
    this.onDeath?.(this.deathReason);
  }

  /** Routes thread i's messages to handler (null: dropped) and, while a step runs, a death to onDeath. */
  attach(i: number, handler: ((m: Out) => void) | null): void {
    (this.threads[i] as Thread<Out>).handler = handler;
  }

  /** Told once when any thread dies (null: nobody listens; `dead` still tells later). */
  watchDeath(onDeath: ((reason: string) => void) | null): void {
    this.onDeath = onDeath;
  }

  post(i: number, m: In, transfer?: readonly ArrayBuffer[]): void {
    const t = this.threads[i] as Thread<Out>;
    if (!t.closing) t.worker.postMessage(m, transfer as ArrayBuffer[] | undefined);
  }

  /** The threads themselves (tests kill one to show a death is a clear error). */
  get workers(): readonly Worker[] {
    return this.threads.map((t) => t.worker);
  }

  async close(): Promise<void> {
    for (const t of this.threads) t.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate().catch(() => 0)));
  }
}
