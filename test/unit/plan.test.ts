/**
 * The cost model's arithmetic against cases worked out by hand (the working is in the comments),
 * not against numbers the model printed.
 */
import { describe, expect, it } from 'vitest';
import {
  countTrainTransitions,
  estimateIngest,
  estimatePlan,
  estimateServingMonth,
  estimateTrain,
  halfIterationFlops,
  assumptionValues,
  US_EAST_1,
  type PlanInput,
} from '../../lambdas/core/plan/index.ts';

const base: PlanInput = {
  ratings: 1_000_000,
  users: 1000,
  movies: 1000,
  rank: 20,
  iterations: 5,
  blocks: 2,
  concurrency: 10,
  requestsPerMonth: 1_000_000,
  gflopsPerCore: 1,
};
const a = assumptionValues();

describe('train state machine transitions', () => {
  it('counts one iteration over one block', () => {
    // 8 before the loop + 7 in it + 5 after = 20 states; Map items: 1 scan range + 1 block ×
    // (assemble, top-N, similar + user, item, evaluate) = 7 items × 2 transitions = 14.
    expect(countTrainTransitions(1, 1, 1, 2)).toBe(34);
  });

  it('counts 15 iterations over 16 blocks', () => {
    // 8 + 7·15 + 5 = 118; items 16 + 16·(3 + 3·15) = 16 + 768 = 784; 118 + 2·784 = 1686.
    expect(countTrainTransitions(15, 16, 16, 2)).toBe(1686);
  });
});

describe('ALS flops', () => {
  it('counts the normal equations and the solves (rank 1 → d = 2 with the bias)', () => {
    // 1000·(2² + 3·2) + 10·(2³/3 + 2·2²) = 10,000 + 10·(8/3 + 8) = 10,106.67
    expect(halfIterationFlops(1000, 10, 1)).toBeCloseTo(10106.667, 2);
  });

  it('is linear in ratings with no rows (rank 20 → d = 21)', () => {
    // 100·(441 + 63) = 50,400
    expect(halfIterationFlops(100, 0, 20)).toBe(50400);
  });
});

describe('ingest', () => {
  it('prices one small chunk', () => {
    // 25 MB of CSV < 32 MiB → 1 chunk; 2,000,000 rows at 2,000 rows/s by one Lambda.
    const e = estimateIngest({ ...base, movies: 1000 }, a, US_EAST_1);
    const wru = e.lines.find((l) => l.unit === 'WRU')!;
    expect(wru.quantity).toBe(2_001_000);
    // 2,001,000 × $0.625 / 1M
    expect(wru.dollars).toBeCloseTo(1.250625, 6);
    // 2 s Map + 2,000,000 / 2,000 s + 5 × 0.25 s
    expect(e.wallSeconds).toBeCloseTo(1003.25, 6);
    const gbs = e.lines.find((l) => l.unit === 'GB-s')!;
    // (1,000 s + 0.25 s) × 2 GB
    expect(gbs.quantity).toBeCloseTo(2000.5, 6);
  });

  it('hits the per-table write quota at a billion ratings', () => {
    // 25e9 bytes / 32 MiB = 745.06 → capped at 400 chunks; 400 × 2,000 = 800,000 rows/s is above
    // 2 tables × 40,000 WRU/s, so 2e9 rows take 25,000 s (+ 2 s + 1.25 s).
    const e = estimateIngest({ ...base, ratings: 1e9, concurrency: 1000 }, a, US_EAST_1);
    expect(e.wallSeconds).toBeCloseTo(25003.25, 6);
    expect(e.lines.find((l) => l.unit === 'transitions')!.quantity).toBe(6 + 2 * 400);
  });
});

describe('training', () => {
  // No overheads and free data movement: only the arithmetic is left to check.
  const bare = assumptionValues({
    invokeOverheadSeconds: 0,
    mapOverheadSeconds: 0,
    s3BytesPerSecond: Infinity,
  });
  const input = { ...base, users: 1000, movies: 2000, rank: 9, blocks: 2, concurrency: 2 };

  it('times an iteration from the flops and the measured rate', () => {
    // d = 10: per rating 130 flops, per row 1000/3 + 200 = 533.33.
    // user half 130e6 + 533,333 = 130.5333e6 → block 0.0652667 s at 1 GFLOP/s over 2 blocks;
    // item half 130e6 + 1,066,667 → 0.0655333 s; evaluation 2·10·1e6 / 2 / 1e9 = 0.01 s.
    const e = estimateTrain(input, bare, US_EAST_1);
    expect(e.secondsPerIteration).toBeCloseTo(0.1408, 6);
    expect(e.gflopPerIteration).toBeCloseTo(0.2616, 6);
  });

  it('runs blocks in waves when concurrency is below the block count', () => {
    const e = estimateTrain({ ...input, concurrency: 1 }, bare, US_EAST_1);
    expect(e.secondsPerIteration).toBeCloseTo(0.2816, 6);
  });

  it('counts scan reads and invocations', () => {
    const e = estimateTrain(input, bare, US_EAST_1);
    // ceil(1e6 × 40 bytes / 4096) = ceil(9765.625)
    expect(e.lines.find((l) => l.unit === 'RRU')!.quantity).toBe(9766);
    // Map items 2 + 2·(3 + 3·5) = 38, plus plan, build-index, init, publish and 3 per iteration.
    expect(e.lambdaInvocations).toBe(38 + 4 + 15);
    // One row per list: 50 × 8 + 100 bytes < 1 KB → 1 WRU a list; 1,000 users + 2,000 movies.
    const wru = e.lines.find((l) => l.unit === 'WRU')!;
    expect(wru.quantity).toBe(3_000);
    expect(wru.dollars).toBeCloseTo(0.001875, 9);
  });
});

describe('serving a month', () => {
  it('adds API Gateway, Lambda, reads and storage', () => {
    const e = estimateServingMonth(base, a, US_EAST_1);
    const dollars = Object.fromEntries(e.lines.map((l) => [l.item, l.dollars]));
    expect(dollars['API Gateway requests']).toBeCloseTo(3.5, 9);
    expect(dollars['Lambda requests (API)']).toBeCloseTo(0.2, 9);
    // 1e6 × 0.03 s × 1 GB = 30,000 GB-s × $0.0000133334 (Arm)
    expect(dollars['Lambda compute (API)']).toBeCloseTo(0.400002, 6);
    // 2e6 RRU × $0.125 / 1M
    expect(dollars['Keyspaces reads']).toBeCloseTo(0.25, 9);
    // ratings 1e6 × 2 × 130 = 260,000,000 bytes; lists: 1,000 users × (50 × 8 + 130) = 530,000
    // and 1,000 movies × (20 × 8 + 130) = 290,000 → 260,820,000 bytes = 0.26082 GB × $0.30
    expect(dollars['Keyspaces storage (ratings + outputs)']).toBeCloseTo(0.078246, 9);
    // (25e6 + 2000 × 21 × 4) bytes = 0.025168 GB × $0.023
    expect(dollars['S3 storage (CSV + model factors)']).toBeCloseTo(0.000578864, 9);
  });
});

describe('estimatePlan', () => {
  it('totals the three phases', () => {
    const e = estimatePlan(base);
    expect(e.totalDollars).toBeCloseTo(
      e.ingest.dollars + e.train.dollars + e.servingMonth.dollars,
      9,
    );
  });

  it('uses replacement prices', () => {
    const free = Object.fromEntries(
      Object.keys(US_EAST_1).map((k) => [k, 0]),
    ) as unknown as typeof US_EAST_1;
    expect(estimatePlan(base, { prices: free }).totalDollars).toBe(0);
  });
});
