/**
 * The block count a run gets when its request names none (issue 15): chosen from the data set's
 * size so every Task fits its Lambda. Expected values are worked by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { taskAssumptionValues } from '../../lambdas/core/train/task-assumptions.ts';
import { trainTaskMemoryBytes } from '../../lambdas/core/train/task-memory.ts';
import type { TrainWorkload } from '../../lambdas/core/train/task-sizing.ts';
import {
  MAX_BLOCKS,
  SPREAD_FLOOR,
  TARGET_TASK_SECONDS,
  TASK_SECONDS_BUDGET,
  chooseBlockCount,
  type BlockCountInput,
} from '../../lambdas/core/train/block-count.ts';
import {
  TRAIN_DEFAULTS,
  TrainRequestError,
  resolveTrainRequest,
} from '../../lambdas/core/train/train-request.ts';

const MiB = 2 ** 20;

// 10 M ratings, 100,000 users, 10,000 movies; rating model rank 9 (d = 10) at 1 GFLOP/s, ranking
// model rank 4, 1 CG step, at 2 GFLOP/s; no neighbour model.
const data: BlockCountInput = {
  ratings: 1e7,
  users: 1e5,
  movies: 1e4,
  ratingRank: 9,
  iterations: 5,
  refitIterations: 5,
  rankingRank: 4,
  cgSteps: 1,
  neighbourMovies: 0,
  gflopsPerCore: 1,
  cgGflopsPerCore: 2,
};
// Nothing but the arithmetic and the files: no overheads, free S3, no baseline or cache, no split.
const bare = {
  // the list kernel at the rating model's 1 GFLOP/s, as the top-N arithmetic below reads
  listScoringGflops: 1,
  topNScoringGflops: 1,
  invokeOverheadSeconds: 0,
  mapOverheadSeconds: 0,
  s3BytesPerSecond: Infinity,
  lambdaBaselineMb: 0,
  runFileCacheMb: 0,
  validationShare: 0,
};

describe('train task memory', () => {
  it('holds a block’s CSR slice, the other side of both models and its own ranking side', () => {
    const input: TrainWorkload = {
      ...data,
      gflopsPerCore: 1,
      cgGflopsPerCore: 2,
      blocks: 2,
      concurrency: 2,
    };
    const bytes = trainTaskMemoryBytes(input, taskAssumptionValues(bare));
    // User block of 2: CSR 5e6 ratings × 8 + 50,000 rows × 8 = 40,400,000; the items' rating
    // factors 10,000 × 10 × 4 = 400,000 and ranking factors 10,000 × 4 × 4 + the packed Gram
    // 4·5/2 × 8 = 160,080; its own side's ranking factors 100,000 × 16 + 80 = 1,600,080; its
    // output 50,000 × (10 + 4) × 4 = 2,800,000 → 45,360,160, + the CSR again while it downloads
    // = 85,760,160.
    // Item block of 2: CSR 5e6 × 8 + 5,000 × 8 = 40,040,000; users' rating factors 4,000,000 and
    // ranking factors 1,600,080; its own 160,080; output 5,000 × 56 = 280,000 → 46,080,160,
    // + 40,040,000 = 86,120,160: the larger.
    expect(bytes.solveBlock).toBe(86_120_160);
    // Top-N of 2: the four sides (4,000,000 + 400,000 + 1,600,080 + 160,080) and the CSR
    // 40,400,000 → 46,560,160, + 40,400,000 = 86,960,160.
    expect(bytes.topN).toBe(86_960_160);
    // With the defaults, every task also carries 100 MiB of Lambda and 256 MiB of cache.
    const full = trainTaskMemoryBytes(
      input,
      taskAssumptionValues({ ...bare, lambdaBaselineMb: 100, runFileCacheMb: 256 }),
    );
    expect(full.solveBlock - bytes.solveBlock).toBe(356 * MiB);
  });
});

describe('chooseBlockCount', () => {
  // Per-block work at B blocks: scan 1e7 / B / 50,000 = 200/B s; user solve (1e7·130 +
  // 1e5·(1000/3 + 200)) / B / 1e9 + 2·(16e7 + 32·1e5) / B / 2e9 = 1.516533/B s; top-N
  // 2·4·1e5·1e4 / B / 1e9 = 8/B s (+ the fold-in Gram 1e4·16 / 2e9 = 0.00008 s). The scan is the
  // longest: 200 s at 1 block (within the 450 s budget), ≤ 60 s from 4 blocks (50 s).
  it('takes the fewest blocks that fit, spread towards the concurrency while a task computes > 60 s', () => {
    expect(TASK_SECONDS_BUDGET).toBe(450);
    expect(TARGET_TASK_SECONDS).toBe(60);
    expect(SPREAD_FLOOR).toBe(16);
    const c = chooseBlockCount(data, { concurrency: 10 }, bare);
    expect(c.fewestBlocks).toBe(1);
    expect(c.blocks).toBe(4);
    expect(c.fits).toBe(true);
    expect(c.tasks.scanRange.seconds).toBeCloseTo(50, 9);
    expect(c.tasks.topN.seconds).toBeCloseTo(2.00008, 9);
    // Fewer Lambdas at once than that: still 4 (up to SPREAD_FLOOR), queued by the Map, so that no
    // task computes for more than 60 s where it shares its core.
    expect(chooseBlockCount(data, { concurrency: 3 }, bare).blocks).toBe(4);
    expect(chooseBlockCount(data, { concurrency: 1 }, bare).blocks).toBe(4);
    // A data set whose tasks are short from 1 block stays at 1 whatever the concurrency.
    const small = { ...data, ratings: 1e5 };
    expect(chooseBlockCount(small, { concurrency: 40 }, bare).blocks).toBe(1);
  });

  it('splits further when a block would not fit its memory', () => {
    // Solve Lambdas of 100 MiB = 104,857,600 bytes: at 1 block the user solve holds CSR
    // 80,800,000 + 400,000 + 160,080 + 1,600,080 + output 5,600,000 = 88,560,160, + the CSR again
    // = 169,360,160: too much; at 2 blocks 86,120,160 (above) fits, and so do top-N (86,960,160)
    // and evaluation (4,400,000 + 40,400,000, + 40,400,000 = 85,200,000).
    const c = chooseBlockCount(data, { concurrency: 1 }, { ...bare, solveMemoryMb: 100 });
    expect(c.fewestBlocks).toBe(2);
    // Spread beyond the 2 that memory asks for: the scan computes 200/B s (first test), and a
    // 100 MB Lambda's CPU share is smaller still.
    expect(c.blocks).toBeGreaterThan(2);
    expect(c.fits).toBe(true);
    const atTwo = trainTaskMemoryBytes(
      { ...data, blocks: 2, concurrency: 2 } as TrainWorkload,
      taskAssumptionValues({ ...bare, solveMemoryMb: 100 }),
    );
    expect(atTwo.solveBlock).toBe(86_120_160);
    // The account's memory quota caps every Lambda the same way, the 2,048 MB assemble tasks
    // too: a block's parts 2.4e8/B, its CSR slices 2 × (8e7 + 8.8e5)/B, the parts again while
    // they download → 6.4176e8/B ≤ 104,857,600 from 7 blocks (6.12).
    expect(chooseBlockCount(data, { concurrency: 1, maxMemoryMb: 100 }, bare).blocks).toBe(7);
  });

  it('splits further when a block would run past half the timeout', () => {
    // A scan of 10,000 ratings/s: 1,000/B s; ≤ 450 from 3 blocks (333 s), ≤ 60 from 17 (58.8 s).
    const slow = { ...bare, scanRatingsPerSecondPerLambda: 10_000 };
    expect(chooseBlockCount(data, { concurrency: 1 }, slow).fewestBlocks).toBe(3);
    // Spread towards 60 s: up to SPREAD_FLOOR at a low concurrency, all the way at a high one.
    expect(chooseBlockCount(data, { concurrency: 1 }, slow).blocks).toBe(16);
    expect(chooseBlockCount(data, { concurrency: 100 }, slow).blocks).toBe(17);
  });

  it('says what no block count fixes: a whole side of factors outgrowing the Lambda', () => {
    // 50 M users: an item block holds every user's factors of both models, 5e7 × (10 + 4) × 4 =
    // 2.8e9 bytes, above 1,769 MB at any block count. Top-N computes 2·4·5e7·1e4 / B / 1e9 =
    // 4,000/B s: within 450 s from 9 blocks (444 s), within 60 s from 67.
    const big = { ...data, users: 5e7 };
    const c = chooseBlockCount(big, { concurrency: 10 }, bare);
    expect(c.fits).toBe(false);
    expect(c.fewestBlocks).toBe(9);
    expect(c.blocks).toBe(16);
    expect(c.misfits.join('; ')).toMatch(/solveBlock needs \d+ MB of its Lambda's 1769 MB/);
    expect(chooseBlockCount(big, { concurrency: 40 }, bare).blocks).toBe(40);
    expect(c.blocks).toBeLessThanOrEqual(MAX_BLOCKS);
  });
});

describe('resolveTrainRequest: the default block count', () => {
  const context = {
    runId: 'als-test',
    executionName: 'test',
    dataset: 'ml',
    now: new Date(0),
    maxConcurrency: 40,
  };
  // ml-25m's counts with the training defaults: 9 blocks (docs/cost-model.md, "Block count"): the
  // scan ranges are now the longest tasks, 25,000,095 / 50,000 / B = 500/B s (+ their reads):
  // 55.8 s at 9 blocks, 62.7 s at 8; top-N at the list kernel's 8 GFLOP/s is 1.377e12 / 9 / 8e9
  // ≈ 19 s (+ the bundle's reads).
  const ml25m = { ratings: 25_000_095, users: 162_541, movies: 62_423 };

  it('chooses from the data set’s counts, and an explicit count still wins', () => {
    expect(resolveTrainRequest({}, { ...context, data: ml25m }).blockCount).toBe(9);
    // At concurrency 5 (a new account) or 2 (`recsys train` on 2 cores) the tasks fit from 2
    // blocks, but a scan range would take 250 s: still 9, queued by the Map.
    expect(resolveTrainRequest({ concurrency: 5 }, { ...context, data: ml25m }).blockCount).toBe(9);
    expect(resolveTrainRequest({ concurrency: 2 }, { ...context, data: ml25m }).blockCount).toBe(9);
    expect(resolveTrainRequest({ blocks: 7 }, { ...context, data: ml25m }).blockCount).toBe(7);
    // Without counts (a data set ingested before they were kept): the old default.
    expect(resolveTrainRequest({}, context).blockCount).toBe(TRAIN_DEFAULTS.blocks);
  });

  it('stops a run no block count fits, with the reason', () => {
    const billion = { ratings: 1e9, users: 6_250_000, movies: 300_000 };
    expect(() => resolveTrainRequest({}, { ...context, data: billion })).toThrow(TrainRequestError);
    expect(() => resolveTrainRequest({}, { ...context, data: billion })).toThrow(
      /no block count.*solveBlock needs \d+ MB of its Lambda's 1769 MB/,
    );
    // An explicit count is taken as asked.
    expect(resolveTrainRequest({ blocks: 500 }, { ...context, data: billion }).blockCount).toBe(
      500,
    );
  });
});
