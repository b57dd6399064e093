// Counts what a step still has outstanding (calls, requests, connections)
// and lets the engine wait, bounded, until all of it has settled. One home
// for the "pending counter + drained callback + timeout" that each engine
// used to write out for itself.

export class InFlightTracker {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** How many are outstanding now. */
  get pending(): number {
    return this.count;
  }

  /** One more is outstanding. */
  add(): void {
    this.count++;
  }

  /** One settled. A settle with nothing outstanding is ignored (never negative). */
  done(): void {
    if (this.count === 0) return;
    if (--this.count > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Resolves true as soon as nothing is outstanding (at once when nothing is),
   * or false after timeoutMs with some still outstanding. Never rejects; the
   * timer never outlives the wait.
   */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.waiters = this.waiters.filter((w) => w !== settle);
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
      this.waiters.push(settle);
    });
  }
}
