/**
 * Bounded concurrency, written once: S3 transfers in the training steps, ranged reads in the
 * ingest Plan step and the statements and batches CassandraStore sends all go through here.
 *
 * `limit` workers take indices 0…count−1 in order, each starting its next item when its last one
 * settles, so at most `limit` calls of `work` are in flight. The first rejection rejects the
 * returned promise; workers still running go on through the remaining items (what every caller
 * had before: the step fails as a whole, so nothing waits on a partial result).
 */
export async function runPool(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Runs async work over items with at most `limit` in flight; results in item order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await runPool(items.length, limit, async (index) => {
    results[index] = await work(items[index]!, index);
  });
  return results;
}
