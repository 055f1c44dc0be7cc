import { describe, expect, it } from 'vitest';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { RatingsTableBuilder, selectRows, type RatingsTable } from '../../lambdas/core/ratings.ts';

/** 1,000 users × 100 movies each: 100,000 distinct pairs. */
function grid(): RatingsTable {
  const builder = new RatingsTableBuilder();
  for (let u = 1; u <= 1000; u++) {
    for (let m = 1; m <= 100; m++) builder.push(u, m * 7, 0.5 + ((u + m) % 10) / 2, u * 1000 + m);
  }
  return builder.finish();
}

const pairs = (table: RatingsTable): string[] =>
  Array.from({ length: table.length }, (_, i) => `${table.userIds[i]}:${table.movieIds[i]}`).sort();

describe('hashSplit', () => {
  const table = grid();

  it('hits the requested fractions within sampling error', () => {
    const { train, validation, test } = hashSplit(table, { test: 0.2, validation: 0.1, seed: 3 });
    expect(train.length + validation.length + test.length).toBe(table.length);
    // Binomial standard error at n = 100,000 is ≤ 0.0016; allow ~4 of them.
    expect(Math.abs(test.length / table.length - 0.2)).toBeLessThan(0.006);
    expect(Math.abs(validation.length / table.length - 0.1)).toBeLessThan(0.006);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = hashSplit(table, { test: 0.2, seed: 1 });
    const b = hashSplit(table, { test: 0.2, seed: 1 });
    const c = hashSplit(table, { test: 0.2, seed: 2 });
    expect(pairs(a.test)).toEqual(pairs(b.test));
    expect(pairs(a.test)).not.toEqual(pairs(c.test));
  });

  it('does not depend on row order', () => {
    const reversed = selectRows(
      table,
      Int32Array.from({ length: table.length }, (_, i) => table.length - 1 - i),
    );
    const forward = hashSplit(table, { test: 0.2, validation: 0.2, seed: 9 });
    const backward = hashSplit(reversed, { test: 0.2, validation: 0.2, seed: 9 });
    expect(pairs(backward.test)).toEqual(pairs(forward.test));
    expect(pairs(backward.validation)).toEqual(pairs(forward.validation));
  });

  it('keeps every column of a row together', () => {
    const { test } = hashSplit(table, { test: 0.2 });
    for (let i = 0; i < test.length; i++) {
      const u = test.userIds[i]!;
      const m = test.movieIds[i]! / 7;
      expect(test.ratings[i]).toBe(0.5 + ((u + m) % 10) / 2);
      expect(test.timestamps[i]).toBe(u * 1000 + m);
    }
  });

  it('rejects fractions that leave no training data', () => {
    expect(() => hashSplit(table, { test: 0.6, validation: 0.4 })).toThrow(RangeError);
    expect(() => hashSplit(table, { test: -0.1 })).toThrow(RangeError);
  });
});
