import { describe, expect, it } from 'vitest';
import { predict } from '../../lambdas/core/als/model.ts';
import { trainAls } from '../../lambdas/core/als/train.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { expectMlSmallPresent, mlSmall } from '../support/movielens-small.ts';
import { rmseOf } from '../support/planted-ratings.ts';

// Skipped where the data set is absent, but FAILS in CI (CI=true) when it is missing.
describe('ALS on ml-latest-small (80/20 hash split by userId, movieId)', () => {
  it('reaches RMSE ≤ 0.870 with the default options', async () => {
    expectMlSmallPresent();
    const ratings = await readRatingsFile(mlSmall('ratings.csv'));
    const { train, test } = hashSplit(ratings, { test: 0.2 });
    expect(train.length + test.length).toBe(100_836);
    const model = trainAls(train);
    const rmse = rmseOf(test, (u, m) => predict(model, u, m));
    // Calibrated defaults give ≈ 0.851 here; the bar leaves room for platform noise only.
    expect(rmse).toBeLessThanOrEqual(0.87);
  });
});
