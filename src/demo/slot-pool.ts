// A pool of W slots, each held S ms per request, FIFO queue beyond: a
// service of known capacity W / S. Node timers fire late (about 1 ms), so a
// busy slot schedules each finish from the previous *intended* finish rather
// than from when the timer actually fired; a real worker pool would be
// measured at its steady rate the same way.

export class SlotPool {
  private busy = 0;
  private readonly queue: (() => void)[] = [];
  private served = 0;

  constructor(
    readonly workers: number,
    readonly serviceMs: number,
    readonly maxQueue = 100_000,
  ) {}

  get capacity(): number {
    return (this.workers * 1000) / this.serviceMs;
  }

  get inFlight(): number {
    return this.busy + this.queue.length;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get total(): number {
    return this.served;
  }

  /** Runs done() after the request has held a slot for serviceMs; false if the queue is full. */
  submit(done: () => void): boolean {
    if (this.busy < this.workers) {
      this.busy++;
      this.serve(performance.now(), done);
      return true;
    }
    if (this.queue.length >= this.maxQueue) return false;
    this.queue.push(done);
    return true;
  }

  private serve(startAt: number, done: () => void): void {
    const finishAt = startAt + this.serviceMs;
    setTimeout(
      () => {
        this.served++;
        done();
        const next = this.queue.shift();
        if (next) {
          // Back-to-back: the next request starts at the intended finish, not the late timer's.
          this.serve(Math.max(finishAt, performance.now() - this.serviceMs), next);
        } else {
          this.busy--;
        }
      },
      Math.max(0, finishAt - performance.now()),
    );
  }
}
