import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from '../../lambdas/core/retry.ts';

const noSleep = async () => {};

describe('withRetry', () => {
  it('retries transient failures and returns the eventual result', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('timeout');
        return 'ok';
      },
      { retries: 5, baseDelayMs: 1, maxDelayMs: 10, isRetryable: () => true, sleep: noSleep },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry errors that are not transient', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new Error('syntax error');
      },
      { retries: 5, baseDelayMs: 1, maxDelayMs: 10, isRetryable: () => false, sleep: noSleep },
    );
    await expect(failing).rejects.toThrow('syntax error');
    expect(calls).toBe(1);
  });

  it('gives up after the configured number of retries', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new Error('overloaded');
      },
      { retries: 2, baseDelayMs: 1, maxDelayMs: 10, isRetryable: () => true, sleep: noSleep },
    );
    await expect(failing).rejects.toThrow('overloaded');
    expect(calls).toBe(3);
  });

  it('grows the delay exponentially up to the cap', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(1000, 10 * 2 ** attempt);
      const delay = backoffDelay(attempt, 10, 1000);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
