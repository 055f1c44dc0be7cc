/**
 * The pure decisions of the train state machine: fixed-point evaluation, convergence, tuning,
 * the support filter on outputs, request validation and run ids.
 */
import { describe, expect, it } from 'vitest';
import {
  predict,
  recommendForUser,
  similarItems,
  trainAls,
  userVector,
} from '../../lambdas/core/als/index.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { buildRatingMatrices } from '../../lambdas/core/matrix/csr.ts';
import { selectRows } from '../../lambdas/core/ratings.ts';
import { narrowToSupportedItems } from '../../lambdas/core/train/candidate-items.ts';
import { hasConverged, nextStep } from '../../lambdas/core/train/convergence.ts';
import { rankForVector, type RankingPolicy } from '../../lambdas/core/serving/ranking.ts';
import {
  errorSumOfBlock,
  errorSumOfRatings,
  rmseOfErrorSums,
} from '../../lambdas/core/train/prediction-error.ts';
import { assertRunId, newModelId, runLayout } from '../../lambdas/core/train/run-layout.ts';
import { TrainRequestError, resolveTrainRequest } from '../../lambdas/core/train/train-request.ts';
import { bestCandidate, tuneCandidates } from '../../lambdas/core/train/tune-grid.ts';

const { table } = generateRatingsTable({ ratings: 3_000, users: 60, movies: 150, seed: 9 });
const split = hashSplit(table, { test: 0.2, seed: 0 });
const model = trainAls(split.train, { rank: 4, iterations: 3 });

describe('fixed-point prediction errors', () => {
  it('give the same sum for any partition of the ratings, close to the float RMSE', () => {
    const whole = errorSumOfRatings(model, split.test);
    const halves = [0, 1].map((h) =>
      errorSumOfRatings(
        model,
        selectRows(
          split.test,
          Array.from({ length: split.test.length }, (_, i) => i).filter((i) => i % 2 === h),
        ),
      ),
    );
    expect(rmseOfErrorSums(halves)).toBe(rmseOfErrorSums([whole]));
    expect(BigInt(halves[0]!.units) + BigInt(halves[1]!.units)).toBe(BigInt(whole.units));
    let sum = 0;
    for (let i = 0; i < split.test.length; i++) {
      sum +=
        (predict(model, split.test.userIds[i]!, split.test.movieIds[i]!) -
          split.test.ratings[i]!) **
        2;
    }
    expect(rmseOfErrorSums([whole])).toBeCloseTo(Math.sqrt(sum / split.test.length), 8);
  });

  it('score a CSR block of the training matrix like its ratings', () => {
    const { byUser } = buildRatingMatrices(split.train, {
      userIds: model.userIds,
      itemIds: model.itemIds,
    });
    expect(rmseOfErrorSums([errorSumOfBlock(model, byUser)])).toBe(
      rmseOfErrorSums([errorSumOfRatings(model, split.train)]),
    );
  });

  it('is null with nothing to measure', () => {
    expect(rmseOfErrorSums([])).toBeNull();
    expect(rmseOfErrorSums([{ count: 0, units: '0' }])).toBeNull();
  });
});

describe('convergence', () => {
  const history = (...rmse: number[]) =>
    rmse.map((value, i) => ({ iteration: i + 1, rmse: value }));

  it('stops once an iteration improves validation RMSE by less than the tolerance', () => {
    expect(hasConverged(history(0.9, 0.88), 0.001)).toBe(false);
    expect(hasConverged(history(0.9, 0.8995), 0.001)).toBe(true);
    expect(hasConverged(history(0.9, 0.91), 0.001)).toBe(true); // worse: only overfitting ahead
  });

  it('never stops early with tolerance 0 or before two iterations', () => {
    expect(hasConverged(history(0.9, 0.9), 0)).toBe(false);
    expect(hasConverged(history(0.9), 0.5)).toBe(false);
  });
});

describe('tuning grid', () => {
  it('expands α₀ × neighbour λ and picks the highest NDCG@100, earlier point on ties', () => {
    const candidates = tuneCandidates({
      unobservedWeights: [0.05, 0.1],
      neighbourRegs: [250, 500],
      blends: [0.5],
    });
    expect(candidates.map((c) => [c.index, c.unobservedWeight, c.neighbourReg])).toEqual([
      [0, 0.05, 250],
      [1, 0.05, 500],
      [2, 0.1, 250],
      [3, 0.1, 500],
    ]);
    const results = candidates.map((c, i) => ({
      ...c,
      blend: 0.5,
      ndcg: [0.3, 0.4, null, 0.4][i]!,
      seconds: 1,
    }));
    expect(bestCandidate(results).index).toBe(1);
    expect(() => bestCandidate(results.map((r) => ({ ...r, ndcg: null })))).toThrow(
      /no tuning candidate/,
    );
    expect(() =>
      tuneCandidates({ unobservedWeights: [], neighbourRegs: [1], blends: [0.5] }),
    ).toThrow(RangeError);
    expect(() =>
      tuneCandidates({ unobservedWeights: [2], neighbourRegs: [1], blends: [0.5] }),
    ).toThrow(/unobservedWeight/);
    expect(() =>
      tuneCandidates({ unobservedWeights: [0.1], neighbourRegs: [1], blends: [1.5] }),
    ).toThrow(/blend/);
  });
});

describe('outputs drawn from movies with enough ratings', () => {
  const { byUser } = buildRatingMatrices(split.train, {
    userIds: model.userIds,
    itemIds: model.itemIds,
  });
  const support = Int32Array.from({ length: model.itemIds.size }, (_, i) => (i % 3 === 0 ? 1 : 10));
  const narrowed = narrowToSupportedItems(model, support, 5);
  const userOfRow = (r: number) => model.userIds.ids[byUser.rows[r]!]!;
  const seenOfRow = (r: number) =>
    Array.from(
      byUser.colIdx.subarray(byUser.rowPtr[r]!, byUser.rowPtr[r + 1]!),
      (i) => model.itemIds.ids[i]!,
    );
  const rare = model.itemIds.ids.filter((_, i) => support[i]! < 5);
  /** Row r's user ranked as the API ranks a known user, what they rated left out. */
  const rankRow = (r: number, n: number, policy: RankingPolicy) =>
    rankForVector(model, userVector(model, userOfRow(r))!, {
      n,
      support,
      policy,
      exclude: new Set(byUser.colIdx.subarray(byUser.rowPtr[r]!, byUser.rowPtr[r + 1]!)),
    });

  it('rank exactly as the full model does with the rare movies left out', () => {
    for (let r = 0; r < 5; r++) {
      const expected = recommendForUser(model, userOfRow(r), 10, [...seenOfRow(r), ...rare]);
      const got = recommendForUser(narrowed.model, userOfRow(r), 10, seenOfRow(r));
      expect(got.map((m) => m.movieId)).toEqual(expected.map((m) => m.movieId));
    }
  });

  it('a policy without a prior: the plain model order among supported, unseen movies', () => {
    for (let r = 0; r < 5; r++) {
      const list = rankRow(r, 10, { minRatings: 5, popularityWeight: 0 });
      const expected = recommendForUser(model, userOfRow(r), 10, [...seenOfRow(r), ...rare]);
      expect(list.map((m) => m.movieId)).toEqual(expected.map((m) => m.movieId));
    }
  });

  it('the popularity prior adds weight × ln(1 + ratings) to each score', () => {
    const weight = 0.5;
    const [plain, blended] = [0, weight].map((popularityWeight) =>
      rankRow(0, model.itemIds.size, { minRatings: 0, popularityWeight }),
    );
    const plainScore = new Map(plain!.map((m) => [m.movieId, m.score]));
    for (const m of blended!) {
      const count = support[model.itemIds.indexOf(m.movieId)]!;
      expect(m.score).toBeCloseTo(plainScore.get(m.movieId)! + weight * Math.log1p(count), 4);
    }
    const scores = blended!.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('give neighbours among supported movies only', () => {
    const movie = narrowed.model.itemIds.ids[0]!;
    const neighbours = similarItems(narrowed.model, movie, 5);
    expect(neighbours).toHaveLength(5);
    for (const n of neighbours) expect(support[model.itemIds.indexOf(n.movieId)]).toBe(10);
  });
});

describe('train requests', () => {
  const context = {
    runId: 'als-test',
    executionName: 'exec',
    dataset: 'd',
    datasetMinRatings: null,
    now: new Date(0),
  };

  it('fill in the defaults', () => {
    const plan = resolveTrainRequest({}, context);
    expect(plan).toMatchObject({
      runId: 'als-test',
      blockCount: 4,
      blocks: [0, 1, 2, 3],
      concurrency: 4,
      iterations: 15,
      validation: 0.2,
      tolerance: 0,
      topN: 50,
      minRatings: 1,
      tuning: false,
      activate: true,
      refitIterations: 5,
      blend: 0.4,
      policy: { minRatings: 1, popularityWeight: 0 },
    });
    expect(plan.neighbours).toMatchObject({ maxItems: 2000, reg: 500 });
    expect(plan.ranges).toHaveLength(4);
    expect(resolveTrainRequest({ minRatings: 7 }, context).policy.minRatings).toBe(7);
    expect(resolveTrainRequest({ tune: true }, context).tuneCandidates).toHaveLength(9);
    const plain = resolveTrainRequest({ neighbours: false }, context);
    expect([plain.neighbours, plain.blend]).toEqual([null, 0]);
  });

  it('reject what can never succeed, with a non-retryable error', () => {
    const bad = [
      { blocks: 0 },
      { concurrency: 1.5 },
      { validation: 0.95 },
      { rating: { rank: 0 } },
      { rating: { bogus: 1 } as never },
      { options: { rank: 0 } },
      { tune: true, validation: 0 },
      { tune: { blends: [] } },
      { tolerance: -1 },
      { rating: { implicit: true } },
      { ranking: { unobservedWeight: 0 } },
      { ranking: { bogus: 1 } as never },
      { neighbours: { maxItems: -1 } },
      { blend: 1.5 },
      { refitIterations: -1 },
    ];
    for (const request of bad)
      expect(() => resolveTrainRequest(request, context)).toThrow(TrainRequestError);
    expect(() => resolveTrainRequest({}, { ...context, runId: '../etc' })).toThrow(
      TrainRequestError,
    );
  });
});

describe('run ids and keys', () => {
  it('make readable, sortable ids and keys per (run, iteration, side, block)', () => {
    expect(newModelId(new Date('2026-01-26T09:30:12Z'), '3fa9c1ff')).toBe(
      'als-20260126-093012-3fa9c1',
    );
    const layout = runLayout('als-x');
    expect(layout.blockFactors(3, 'ranking', 'user', 12)).toBe(
      'runs/als-x/factors/i0003/ranking/user/b0012.bin',
    );
    expect(layout.shufflePart('item', 1, 2)).toBe('runs/als-x/shuffle/by-item/b0001/r00002.bin');
    expect(() => assertRunId('a/b')).toThrow(/invalid model id/);
  });
});

describe('loop phases', () => {
  const plan = { iterations: 3, tolerance: 0, validation: 0.2, refitIterations: 2 };
  const at = (iteration: number, rmse: number | null, phase: 'fit' | 'refit' = 'fit') => ({
    iteration,
    seconds: 1,
    rmse,
    phase,
  });

  it('fits for the iterations asked, then refits on every rating, then stops', () => {
    const h1 = [at(1, 0.9)];
    expect(nextStep({ iteration: 1, phase: 'fit' }, plan, h1, undefined)).toEqual({
      phase: 'fit',
      done: false,
      converged: false,
    });
    const h3 = [at(1, 0.9), at(2, 0.88), at(3, 0.87)];
    const afterFit = nextStep({ iteration: 3, phase: 'fit' }, plan, h3, undefined);
    expect(afterFit).toEqual({ phase: 'refit', done: false, converged: false, fitIterations: 3 });
    const h4 = [...h3, at(4, null, 'refit')];
    expect(nextStep({ iteration: 4, phase: 'refit' }, plan, h4, afterFit)).toMatchObject({
      phase: 'refit',
      done: false,
    });
    const h5 = [...h4, at(5, null, 'refit')];
    expect(nextStep({ iteration: 5, phase: 'refit' }, plan, h5, afterFit)).toMatchObject({
      done: true,
      fitIterations: 3,
    });
  });

  it('stops the fit early on the tolerance and still refits', () => {
    const early = { ...plan, iterations: 10, tolerance: 0.01 };
    const h = [at(1, 0.9), at(2, 0.895)];
    expect(nextStep({ iteration: 2, phase: 'fit' }, early, h, undefined)).toEqual({
      phase: 'refit',
      done: false,
      converged: true,
      fitIterations: 2,
    });
  });

  it('publishes the fit when there is no validation split or no refit', () => {
    const h = [at(1, null), at(2, null), at(3, null)];
    expect(
      nextStep({ iteration: 3, phase: 'fit' }, { ...plan, validation: 0 }, h, undefined),
    ).toEqual({ phase: 'fit', done: true, converged: false });
    expect(
      nextStep({ iteration: 3, phase: 'fit' }, { ...plan, refitIterations: 0 }, h, undefined),
    ).toMatchObject({ done: true });
  });
});
