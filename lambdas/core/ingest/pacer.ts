/**
 * Keeps a writer at or below `perSecond` units: each `take(n)` reserves the next n/perSecond
 * seconds of the schedule and resolves when its slot starts, however many callers take at once.
 * A writer paced to its share of a Keyspaces table's rate is never throttled for going over it.
 */
export class RatePacer {
  private nextFreeMs: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(perSecond > 0)) throw new RangeError(`pace must be positive, got ${perSecond}`);
    this.nextFreeMs = now();
  }

  async take(units: number): Promise<void> {
    const now = this.now();
    const start = Math.max(now, this.nextFreeMs);
    this.nextFreeMs = start + (units / this.perSecond) * 1000;
    if (start > now) await this.sleep(start - now);
  }
}
