/**
 * A value a warm container re-checks at most every `maxAgeMs`: one refresh at a time (concurrent
 * requests share it), the previous value handed to the refresh (so an unchanged model is not
 * loaded again), and a failed refresh answered by `onFailure`, which returns what to serve instead
 * or throws. What it returns is cached like a fresh value, so a failing store is not hammered.
 */
export class CheckedValue<T> {
  private cache: { value: T; checkedAt: number } | undefined;
  private load: Promise<T> | undefined;

  constructor(
    private readonly refresh: (current: T | undefined) => Promise<T>,
    private readonly onFailure: (error: unknown, previous: { value: T } | undefined) => T,
    private readonly maxAgeMs: () => number,
    private readonly now: () => number,
  ) {}

  /** The last value checked, however old (undefined before the first check). */
  get current(): T | undefined {
    return this.cache?.value;
  }

  async get(): Promise<T> {
    const cached = this.cache;
    if (cached && this.now() - cached.checkedAt < this.maxAgeMs()) return cached.value;
    this.load ??= this.refresh(cached?.value)
      .catch((error: unknown) => this.onFailure(error, cached))
      .then((value) => {
        this.cache = { value, checkedAt: this.now() };
        return value;
      })
      .finally(() => (this.load = undefined));
    return this.load;
  }
}
