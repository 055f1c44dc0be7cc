import { describe, expect, it } from 'vitest';
import { mapLimit, runPool } from '../../lambdas/core/pool.ts';

/** A promise settled from outside, so a test decides when each piece of work ends. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runPool', () => {
  it('keeps at most `limit` in flight and starts the next index as one settles', async () => {
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const done = runPool(5, 2, async (index) => {
      started.push(index);
      await gates[index]!.promise;
    });
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.resolve();
    gates[4]!.resolve();
    await done;
  });

  it('runs nothing for no items and rejects with the first failure', async () => {
    let calls = 0;
    await runPool(0, 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
    await expect(
      runPool(3, 2, async (index) => {
        if (index === 1) throw new Error('item 1 failed');
      }),
    ).rejects.toThrow('item 1 failed');
  });
});

describe('mapLimit', () => {
  it('returns results in item order whatever order the work finishes in', async () => {
    const delays = [30, 0, 10, 5];
    const results = await mapLimit(delays, 3, async (ms, index) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `${index}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:0', '2:10', '3:5']);
  });
});
