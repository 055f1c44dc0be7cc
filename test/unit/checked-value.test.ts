/**
 * How a warm API container re-checks the active model and the running experiment
 * (lambdas/services/api/checked-value.ts), with a hand-driven clock.
 */
import { describe, expect, it } from 'vitest';
import { CheckedValue } from '../../lambdas/services/api/checked-value.ts';

function checked(refresh: (current: string | undefined) => Promise<string>, keep = true) {
  let now = 0;
  const value = new CheckedValue<string>(
    refresh,
    (error, previous) => {
      if (!previous || !keep) throw error;
      return previous.value;
    },
    () => 30,
    () => now,
  );
  return { value, advance: (ms: number) => (now += ms) };
}

describe('CheckedValue', () => {
  it('refreshes once per period, handing the refresh the previous value', async () => {
    const seen: (string | undefined)[] = [];
    let n = 0;
    const { value, advance } = checked(async (current) => {
      seen.push(current);
      return `v${++n}`;
    });
    expect(await value.get()).toBe('v1');
    advance(29);
    expect(await value.get()).toBe('v1');
    advance(1);
    expect(await value.get()).toBe('v2');
    expect(seen).toEqual([undefined, 'v1']);
  });

  it('shares one refresh between concurrent callers', async () => {
    let calls = 0;
    const { value } = checked(async () => `v${++calls}`);
    expect(await Promise.all([value.get(), value.get(), value.get()])).toEqual(['v1', 'v1', 'v1']);
    expect(calls).toBe(1);
  });

  it('serves the previous value when a refresh fails, and checks again only after the period', async () => {
    let fail = false;
    let calls = 0;
    const { value, advance } = checked(async () => {
      calls++;
      if (fail) throw new Error('store down');
      return 'good';
    });
    expect(await value.get()).toBe('good');
    fail = true;
    advance(30);
    expect(await value.get()).toBe('good');
    expect(await value.get()).toBe('good');
    expect(calls).toBe(2);
    expect(value.current).toBe('good');
  });

  it('throws when the first check fails and there is nothing to fall back on, then tries again', async () => {
    let fail = true;
    const { value } = checked(async () => {
      if (fail) throw new Error('store down');
      return 'good';
    });
    await expect(value.get()).rejects.toThrow('store down');
    expect(value.current).toBeUndefined();
    fail = false;
    expect(await value.get()).toBe('good');
  });
});
