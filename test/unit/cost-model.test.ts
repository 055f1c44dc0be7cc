/**
 * The cost model's arithmetic against cases worked out by hand (the working is in the comments),
 * not against numbers the model printed.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INGEST,
  ingestOptions,
  countTrainTransitions,
  estimateIngest,
  estimateCosts,
  estimateServingMonth,
  estimateTrain,
  assumptionValues,
  US_EAST_1,
  type CostModelInput,
  type Prices,
} from '../../lambdas/core/cost/index.ts';
import {
  cgHalfIterationFlops,
  cgIterationFlops,
  gramFlops,
  halfIterationFlops,
  neighbourGramUpdates,
} from '../../lambdas/core/train/flops.ts';
import { sizeIngestRun } from '../../lambdas/core/ingest/run-sizing.ts';
import { sizeTrainRun } from '../../lambdas/core/train/task-sizing.ts';

const base: CostModelInput = {
  ratings: 1_000_000,
  users: 1000,
  movies: 1000,
  ratingRank: 20,
  iterations: 5,
  refitIterations: 5,
  rankingRank: 64,
  cgSteps: 3,
  neighbourMovies: 2000,
  blocks: 2,
  concurrency: 10,
  requestsPerMonth: 1_000_000,
  gflopsPerCore: 1,
  cgGflopsPerCore: 20,
};
const a = assumptionValues();

describe('train state machine transitions', () => {
  it('counts one iteration over one block', () => {
    // 8 before the loop + 7 in it + 6 after (MoreIterations, NeighboursRequested, Outputs,
    // TopNBlocks, SimilarMovieBlocks, Publish) + 2 neighbour states (NeighbourGramBlocks,
    // NeighbourSolve) = 23; Map items: 1 scan range + 1 block × (assemble, top-N, similar,
    // neighbour gram + user, item, evaluate) = 8 items × 2 transitions = 16.
    expect(countTrainTransitions(1, 1, 1, 2)).toBe(39);
  });

  it('counts 15 fit + 5 refit iterations over 16 blocks', () => {
    // 8 + 7·20 + 6 + 2 = 156; items 16 + 16·(4 + 3·20) = 16 + 1024 = 1040; 156 + 2·1040 = 2236.
    expect(countTrainTransitions(20, 16, 16, 2)).toBe(2236);
  });

  it('skips the neighbour states and Map without a neighbour model', () => {
    // 8 + 7 + 6 = 21; items 1 + 1·(3 + 3) = 7 → 14.
    expect(countTrainTransitions(1, 1, 1, 2, false)).toBe(35);
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

  it('counts CG products: steps + 1 of them, 4·rank a rating and 2·rank² a row', () => {
    // rank 2, 3 steps: 4 × (4·2·1000 + 2·4·10) = 4 × (8,000 + 80) = 32,320
    expect(cgHalfIterationFlops(1000, 10, 2, 3)).toBe(32320);
    // YᵀY: 10 rows × 3² = 90
    expect(gramFlops(10, 3)).toBe(90);
  });

  it('turns the rank-64 implicit benchmark (2M ratings, 0.2776 s an iteration) into ~20 GFLOP/s', () => {
    // bench/results/als-vs-implicit.json: 2,000,000 ratings, 13,003 users, 26,655 items, 3 steps.
    // ratings: 2 halves × 4 × 4·64·2e6 = 4,096,000,000
    // rows: 4 × 2·64²·(13,003 + 26,655) = 32,768 × 39,658 = 1,299,513,344
    // Grams: 64²·39,658 = 162,439,168 → 5,557,952,512 flops; / 0.2776 s = 20.02 GFLOP/s
    const flops = cgIterationFlops(2_000_000, 13_003, 26_655, 64, 3);
    expect(flops).toBe(5_557_952_512);
    expect(flops / 0.2776 / 1e9).toBeCloseTo(20.02, 2);
  });

  it('counts the neighbour Gram updates, at most M/2 per rating', () => {
    // spread 2: 2 × 1000² / (2 × 100 users) = 10,000 < 50 × 1000 / 2 = 25,000
    expect(neighbourGramUpdates(1000, 100, 50, 2)).toBe(10_000);
    // 10 users: 2 × 1000² / 20 = 100,000, capped at 25,000 (no user has more than M movies)
    expect(neighbourGramUpdates(1000, 10, 50, 2)).toBe(25_000);
  });
});

describe('ingest', () => {
  // 1,000,000 ratings of 27 bytes = 27,000,000 bytes; 1,000 movies, no tags, concurrency 10.
  // Schedule at a new table's 4,000 WRU/s: 2 writers (4,000 / 2,000 a writer), each 2,000
  // ratings/s into ratings_by_user; chunks of min(27e6 / 8 = 3,375,000, 450 s × 2,000 × 18 =
  // 16,200,000) = 3,375,000 bytes → 8 chunks of 125,000 ratings.
  // A chunk: 0.25 s + 3,375,000 B at 80 MB/s (0.0421875 s) + 125,000 / 2,000 s = 62.7921875 s;
  // 8 chunks, 2 at once: 4 waves = 251.16875 s.
  // Catalogue 0.25 + 1,000 / 4,000 = 0.5 s; Aggregate 0.25 + 1e6 / 50,000 + 2,000 / 4,000 = 20.75 s.
  it('sizes the same case without prices: chunks, seconds per step, the wall time', () => {
    const workload = {
      ratings: 1e6,
      users: 1000,
      movies: 1000,
      concurrency: 10,
      ratingsTables: 1,
      capacitySwitchSeconds: 0,
    };
    const run = sizeIngestRun({ ...workload, tableWriteUnits: 4000 }, a);
    expect(run).toMatchObject({ chunks: 8, chunkConcurrency: 2, refusals: [] });
    expect(run.chunkSeconds).toBeCloseTo(62.7921875, 9);
    expect(run.writeSeconds).toBeCloseTo(251.16875, 9);
    expect(run.catalogueSeconds).toBeCloseTo(0.5, 9);
    expect(run.aggregateSeconds).toBeCloseTo(20.75, 9);
    // Map overhead 2 + 251.16875 + 0.5 + 20.75 + Validate, Plan, Finish 0.75
    expect(run.wallSeconds).toBeCloseTo(275.16875, 9);
    expect(run.provisionedSeconds).toBe(0);
    // The cost model prices these very seconds: at any prices, the same times.
    const priced = estimateIngest({ ...base, movies: 1000 }, a, {
      ...US_EAST_1,
      keyspacesPerWru: 1,
    });
    expect(priced.wallSeconds).toBe(run.wallSeconds);
    expect(priced.writeSeconds).toBe(run.writeSeconds);
    // Above the per-table quota the stack refuses, whatever it would cost.
    expect(sizeIngestRun({ ...workload, tableWriteUnits: 50_000 }, a).refusals).toEqual([
      expect.stringContaining('above the default per-table quota of 40000'),
    ]);
  });

  it('prices the default: new on-demand tables, the writers paced to 4,000 WRU/s', () => {
    const e = estimateIngest({ ...base, movies: 1000 }, a, US_EAST_1);
    expect(e.setting).toEqual(DEFAULT_INGEST);
    expect(e.chunks).toBe(8);
    expect(e.chunkConcurrency).toBe(2);
    expect(e.writeSeconds).toBeCloseTo(251.16875, 9);
    // 2 s Map + 251.16875 + 0.5 + 20.75 + 3 × 0.25 (Validate, Plan, Finish)
    expect(e.wallSeconds).toBeCloseTo(275.16875, 9);
    const byItem = Object.fromEntries(e.lines.map((l) => [l.item, l]));
    // 1 row a rating × $0.625 / 1M
    expect(byItem['Keyspaces writes (1 row per rating)']!.quantity).toBe(1_000_000);
    expect(byItem['Keyspaces writes (1 row per rating)']!.dollars).toBeCloseTo(0.625, 9);
    // ⌈1e6 × 40 / 4,096⌉ = ⌈9,765.625⌉
    expect(byItem["Keyspaces reads (Aggregate's scan of every rating, on-demand)"]!.quantity).toBe(
      9766,
    );
    expect(byItem['Keyspaces writes (catalogue: movies + tags)']!.quantity).toBe(1000);
    // 1,000 users + 1,000 movies
    expect(
      byItem['Keyspaces writes (Aggregate: per-user and per-movie statistics)']!.quantity,
    ).toBe(2000);
    // (8 × 62.7921875 + 0.5 + 20.75) s × 2 GB + Validate 0.25 s × 0.5 GB + Plan, Finish 0.5 s × 0.25 GB
    expect(e.lines.find((l) => l.unit === 'GB-s')!.quantity).toBeCloseTo(1047.425, 9);
    expect(
      e.lines.find((l) => l.unit === 'requests' && l.item === 'Lambda requests')!.quantity,
    ).toBe(13);
    // Validate, Plan, CapacitySwitchRequested, OnDemandPace, IngestChunks, CapacityToRestore,
    // AfterChunks, Catalogue, Aggregate, MarkReady + 2 per chunk.
    expect(e.lines.find((l) => l.unit === 'transitions')!.quantity).toBe(10 + 2 * 8);
    // 8 ranges + 7 boundary windows + movies, links, tags
    expect(e.lines.find((l) => l.item.startsWith('S3 GET'))!.quantity).toBe(18);
    expect(e.refusals).toEqual([]);
    expect(e.provisionedHours).toBe(0);
  });

  it('prices a provisioned load by the WCU-hour: the chunk Map between two switches, whole hours', () => {
    // 2,000 WCU: 1 writer at 2,000 ratings/s; the same 8 chunks in 8 waves = 502.3375 s;
    // wall 300 s (the raise, waited for) + 2 + 502.3375 + 0.5 + 20.75 + 0.75 = 826.3375 s;
    // provisioned 300 + 2 + 502.3375 + 300 (the switch back) = 1,104.3375 s → 1 h.
    const e = estimateIngest(
      { ...base, movies: 1000, ingest: { capacity: 'provisioned', writeUnits: 2000 } },
      a,
      US_EAST_1,
    );
    expect(e.chunkConcurrency).toBe(1);
    expect(e.wallSeconds).toBeCloseTo(826.3375, 9);
    expect(e.provisionedSeconds).toBeCloseTo(1104.3375, 9);
    expect(e.provisionedHours).toBe(1);
    const wcu = e.lines.find((l) => l.unit === 'WCU-hours')!;
    // 1 table × 2,000 WCU × 1 h × $0.00065
    expect(wcu.quantity).toBe(2000);
    expect(wcu.dollars).toBeCloseTo(1.3, 9);
    // 500 RCU × 1 h × $0.00013
    expect(e.lines.find((l) => l.unit === 'RCU-hours')!.dollars).toBeCloseTo(0.065, 9);
    // No per-request ratings writes; Aggregate's scan runs after the switch back, on-demand.
    expect(e.lines.some((l) => l.item.startsWith('Keyspaces writes (1 row'))).toBe(false);
    expect(e.lines.find((l) => l.unit === 'RRU')!.quantity).toBe(9766);
    // 9 + DescribeRatingsTables, SwitchAllowed, RaiseCapacity, ProvisionedPace, RestoreCapacity
    // + 1 table × (3 + 2 + 3 × ⌈300 / 15⌉ polls + 4) + 2 × 8 chunks = 14 + 69 + 16.
    expect(e.lines.find((l) => l.unit === 'transitions')!.quantity).toBe(99);
  });

  it('prices ml-25m written once (1 table) at 12,000 WCU: under an hour and $10 (issue 22)', () => {
    // 25,000,095 ratings × 27 B = 675,002,565 B. One table: a writer's 2,000 rows/s all go to it,
    // so 12,000 WCU = 6 writers at 2,000 ratings/s; chunks of 450 s × 2,000 × 18 B = 16,200,000 B
    // → ⌈41.67⌉ = 42 chunks, 7 waves. A chunk: 0.25 + 675,002,565 / 42 / 8e7 (0.200893) +
    // 25,000,095 / 42 / 2,000 (297.620179) = 298.071072 s; the Map 7 × that = 2,086.4975 s.
    // Catalogue 0.25 + 1,155,783 / 4,000 = 289.19575 s; Aggregate 0.25 + 500.0019 + 224,964 /
    // 4,000 (56.241) = 556.4929 s. Wall 300 + 2 + 2,086.4975 + 289.19575 + 556.4929 + 0.75 =
    // 3,234.936 s = 53.9 min. Provisioned 600 + 2 + 2,086.4975 = 2,688.5 s → 1 billed hour.
    const e = estimateIngest(
      {
        ...base,
        ratings: 25_000_095,
        users: 162_541,
        movies: 62_423,
        tags: 1_093_360,
        concurrency: 40,
        ratingsTables: 1,
        ingest: { capacity: 'provisioned', writeUnits: 12_000 },
      },
      a,
      US_EAST_1,
    );
    expect([e.chunks, e.chunkConcurrency, e.provisionedHours]).toEqual([42, 6, 1]);
    expect(e.writeSeconds).toBeCloseTo(2086.4975, 3);
    expect(e.wallSeconds).toBeCloseTo(3234.936, 2);
    const dollars = Object.fromEntries(e.lines.map((l) => [l.unit + ' ' + l.item, l.dollars]));
    const of = (unit: string) =>
      Object.entries(dollars)
        .filter(([k]) => k.startsWith(unit + ' '))
        .reduce((sum, [, v]) => sum + v, 0);
    // 12,000 WCU × 1 h × $0.00065 = $7.80; 500 RCU × 1 h × $0.00013 = $0.065.
    expect(of('WCU-hours')).toBeCloseTo(7.8, 9);
    expect(of('RCU-hours')).toBeCloseTo(0.065, 9);
    // Catalogue 1,155,783 + statistics 224,964 WRU × $0.625/M = $0.8630; the scan 244,142 RRU ×
    // $0.125/M = $0.0305; Lambda (42 × 298.071072 + 289.19575 + 556.4929) s × 2 GB + 0.25 GB-s =
    // 26,729.6 GB-s × $0.0000133334 = $0.3564; transitions (14 + 69 + 84) × $0.000025 = $0.0042.
    expect(of('WRU')).toBeCloseTo(0.86298, 4);
    expect(of('RRU')).toBeCloseTo(0.0305, 4);
    expect(of('GB-s')).toBeCloseTo(0.3564, 3);
    expect(e.dollars).toBeCloseTo(7.8 + 0.065 + 0.86298 + 0.0305 + 0.3564 + 0.0042, 2);
    expect(e.dollars).toBeLessThan(10);
    expect(e.refusals).toEqual([]);
  });

  it('adds the (assumed) pre-warming charge above a new table’s 4,000 WRU/s', () => {
    // Pre-warmed to 10,000: 5 writers (10,000 / 2,000), the 8 chunks in 2 waves (2 × 62.7921875
    // s); the charge is 1 table × 6,000 WRU/s added × $0.00065 (an assumption, prices.ts) = $3.90.
    const e = estimateIngest(
      { ...base, movies: 1000, ingest: { capacity: 'on-demand', writeUnits: 10_000 } },
      a,
      US_EAST_1,
    );
    expect(e.writeSeconds).toBeCloseTo(125.584375, 9);
    const warm = e.lines.find((l) => l.item.startsWith('Keyspaces pre-warming'))!;
    expect(warm.quantity).toBe(6_000);
    expect(warm.dollars).toBeCloseTo(3.9, 9);
  });

  it('says why a setting cannot run: too many chunks, a Catalogue past its timeout', () => {
    // A billion lines: ⌈27e9 / 16,200,000⌉ = 1,667 chunks > 400; 4,000,000 tags: 0.25 +
    // 4,001,000 / 4,000 = 1,000.5 s > 900 s.
    const e = estimateIngest(
      { ...base, ratings: 1e9, tags: 4_000_000, concurrency: 1000 },
      a,
      US_EAST_1,
    );
    expect(e.chunks).toBe(1667);
    expect(e.refusals).toHaveLength(3);
    expect(e.refusals[0]).toMatch(/1667 chunks/);
    expect(e.refusals.join(' ')).toMatch(/Catalogue .* 1001 s/);
  });

  it('compares on-demand with provisioned-with-switch, and says which is cheaper and why', () => {
    const { options, cheapest, reason } = ingestOptions({ ...base, movies: 1000 });
    expect(options.map((o) => o.estimate.setting)).toEqual([
      DEFAULT_INGEST,
      { capacity: 'on-demand', writeUnits: 40_000 },
      expect.objectContaining({ capacity: 'provisioned' }),
      // The cheapest provisioned load already finishes within the hour: listed again as such.
      expect.objectContaining({ capacity: 'provisioned' }),
    ]);
    // The cheapest provisioned count is no dearer than its neighbours in the search.
    const provisioned = options[2]!.estimate;
    for (const units of [100, 1000, 2000, 4000]) {
      const other = estimateIngest(
        { ...base, movies: 1000, ingest: { capacity: 'provisioned', writeUnits: units } },
        a,
        US_EAST_1,
      );
      expect(provisioned.dollars).toBeLessThanOrEqual(other.dollars + 1e-9);
    }
    // 1e6 ratings cost $0.625 on-demand; a few hundred WCU for an hour or two cost less.
    expect(cheapest).toBe(options[2]);
    expect(reason).toMatch(
      /^provisioned with the switch, [\d,]+ WCU a table: \$[\d.]+ in [\d.]+ min/,
    );
    // And what the 24-hour rule's fallback costs: the default's figure.
    expect(reason).toContain(`runs on-demand ($${options[0]!.estimate.dollars.toFixed(2)}`);
  });

  it('keeps on-demand where no provisioned load is cheaper (a small data set)', () => {
    // 10,000 ratings: 20,000 WRU = $0.0125 on-demand; the least provisioned hour, 100 WCU ×
    // 2 tables × $0.00065 = $0.13, plus 510 RCU-hours, costs more.
    const { cheapest, reason } = ingestOptions({ ...base, ratings: 10_000, movies: 1000 });
    expect(cheapest.label).toBe('default');
    expect(reason).toMatch(/^on-demand: every provisioned WCU count costs more/);
  });
});

describe('training', () => {
  // No overheads, free data movement, every task on a whole vCPU: only the arithmetic is left.
  // The list kernel at 1 GFLOP/s, the rating model's rate below, so the outputs read the same.
  const bare = assumptionValues({
    listScoringGflops: 1,
    topNScoringGflops: 1,
    invokeOverheadSeconds: 0,
    mapOverheadSeconds: 0,
    s3BytesPerSecond: Infinity,
    smallTaskMemoryMb: 1769,
    validationShare: 0,
  });
  // Rating model rank 9 (d = 10) at 1 GFLOP/s; ranking model rank 4, 1 CG step, at 2 GFLOP/s.
  const input: CostModelInput = {
    ...base,
    users: 1000,
    movies: 2000,
    ratingRank: 9,
    rankingRank: 4,
    cgSteps: 1,
    cgGflopsPerCore: 2,
    neighbourMovies: 0,
    blocks: 2,
    concurrency: 2,
  };

  it("times an iteration from both models' flops and the two measured rates", () => {
    // Rating model, d = 10: per rating 130 flops, per row 1000/3 + 200 = 533.33.
    //   user half 130e6 + 533,333 = 130.5333e6 → block 0.0652667 s at 1 GFLOP/s over 2 blocks;
    //   item half 130e6 + 1,066,667 → 0.0655333 s; evaluation 2·10·1e6 / 2 / 1e9 = 0.01 s.
    // Ranking model, rank 4, 1 step: 2 × (16·1e6 + 32·rows):
    //   user half 2 × (16e6 + 32,000) = 32,064,000 → / 2 blocks / 2e9 = 0.008016 s;
    //   item half 2 × (16e6 + 64,000) = 32,128,000 → 0.008032 s.
    // Combines: YᵀY of 1,000 users × 16 = 16,000 and 2,000 movies × 16 = 32,000 flops at 2 GFLOP/s
    //   = 0.000008 + 0.000016 s.
    // 0.1408 + 0.016048 + 0.000024 = 0.156872 s
    const e = estimateTrain(input, bare, US_EAST_1);
    expect(e.secondsPerIteration).toBeCloseTo(0.156872, 9);
    expect(e.blockSeconds).toBeCloseTo(0.0655333 + 0.008032, 6);
    // (130.5333 + 131.0667 + 32.064 + 32.128 + 0.048) × 1e6 = 325.84e6
    expect(e.gflopPerIteration).toBeCloseTo(0.32584, 9);
    // No validation split: no refit.
    expect(e.loopIterations).toBe(5);
  });

  it('runs blocks in waves when concurrency is below the block count', () => {
    // Two waves of (user + item + evaluation) blocks: 2 × 0.156848 + the combines' 0.000024.
    const e = estimateTrain({ ...input, concurrency: 1 }, bare, US_EAST_1);
    expect(e.secondsPerIteration).toBeCloseTo(0.31372, 9);
  });

  it('fits on the training split and refits on every rating', () => {
    // Validation 0.5: fit on 500,000 ratings.
    //   user: (65e6 + 533,333.3) / 2 / 1e9 = 0.03276667; CG 2 × (8e6 + 32,000) / 2 / 2e9 = 0.004016
    //   item: (65e6 + 1,066,666.7) / 2 / 1e9 = 0.03303333; CG 2 × (8e6 + 64,000) / 2 / 2e9 = 0.004032
    //   evaluation: 2·10·(500,000 training + 500,000 validation) / 2 / 1e9 = 0.01; combines 0.000024
    //   → 0.083872 s
    // Refit on 1,000,000: the blocks as above (0.156848 − 0.01) and evaluation
    //   2·10·(1e6 + 500,000) / 2 / 1e9 = 0.015 → 0.1308 + 0.016048 + 0.015 + 0.000024 = 0.161872 s
    const half = assumptionValues({ ...bare, validationShare: 0.5 });
    const e = estimateTrain({ ...input, iterations: 1, refitIterations: 2 }, half, US_EAST_1);
    expect(e.secondsPerIteration).toBeCloseTo(0.083872, 9);
    expect(e.secondsPerRefitIteration).toBeCloseTo(0.161872, 9);
    expect(e.loopIterations).toBe(3);
  });

  it('adds up the wall time: prepare, iterations, outputs, publish', () => {
    // Prepare: 2 scan ranges of 500,000 ratings at 50,000/s = 10 s in one wave; Init's YᵀY of
    //   both sides: 3,000 × 16 = 48,000 flops at 2 GFLOP/s = 0.000024 s.
    // 5 iterations × 0.156872 = 0.78436 s.
    // Outputs: top-N 2·4·1000·2000 / 2 / 1e9 = 0.008 s, similar movies 2·4·2000² / 2 / 1e9 =
    //   0.016 s, each + the fold-in YᵀY of the movies 32,000 / 2e9 = 0.000016 s → one wave 0.016016.
    // Publish: the same YᵀY, 0.000016 s.
    // 10.000024 + 0.78436 + 0.016016 + 0.000016 = 10.800416
    const e = estimateTrain(input, bare, US_EAST_1);
    expect(e.wallSeconds).toBeCloseTo(10.800416, 9);
    expect(e.neighbourSeconds).toBe(0);
    // Lambda-seconds: 1,769 MB: 5 × 2 blocks × 0.156848 + 2 × (0.008016 + 0.016016) = 1.616544;
    //   2,048 MB: 2 scans × 10 s = 20; "small" (here 1,769 MB too): Init 0.000024, 5 × the
    //   combines 0.000024, Publish 0.000016 = 0.00016.
    const gbs = e.lines.find((l) => l.unit === 'GB-s')!;
    expect(gbs.quantity).toBeCloseTo(((1.616544 + 0.00016) * 1769) / 1024 + 20 * 2, 9);
  });

  it('times the neighbour stage: the gram Map, the solve and the partials through S3', () => {
    // M = 100 movies holding half the ratings (500,000), spread 2: 2 × 500,000² / (2 × 1,000)
    //   = 2.5e8 updates, capped at 100 × 500,000 / 2 = 2.5e7; / 2 blocks / 2.5e8 per s = 0.05 s.
    // Solve: summing 2 partials 2 × 100² = 20,000 adds at 1 GFLOP/s = 0.00002 s; Cholesky
    //   100³/3 at 1 GFLOP/s = 0.000333333 s; inverse 4·100³/3 at 1 GFLOP/s = 0.001333333 s.
    const nb = assumptionValues({
      ...bare,
      neighbourRatingShare: 0.5,
      neighbourUserSpread: 2,
      neighbourGramUpdatesPerSecond: 2.5e8,
      neighbourCholeskyGflops: 1,
      neighbourInverseGflops: 1,
    });
    const e = estimateTrain({ ...input, neighbourMovies: 100 }, nb, US_EAST_1);
    expect(e.tasks.neighbourGram).toBeCloseTo(0.05, 9);
    expect(e.tasks.neighbourSolve).toBeCloseTo(0.00002 + 0.001 / 3 + 0.004 / 3, 9);
    expect(e.neighbourSeconds).toBeCloseTo(0.05 + 0.00002 + 0.005 / 3, 9);
    // With a neighbour model, a top-N list scores the M = 100 neighbour movies' x·y only (the
    //   walk stops at the head): 2 × 4 × 1,000 × 100 / 2 blocks = 4e5 flops, plus a neighbour row
    //   per rating on the M movies: 2 × 100 × 500,000 / 2 blocks = 5e7 flops → 0.0004 + 0.05 +
    //   0.000016 (fold-in YᵀY) = 0.050416 s.
    expect(e.tasks.topN).toBeCloseTo(0.050416, 9);
    expect(e.tasks.similarMovies).toBeCloseTo(0.016016, 9);
    // Each list kind at its own rate: top-N at 4 GFLOP/s 0.0504 / 4 = 0.0126, similar movies at
    // 2 GFLOP/s 0.016 / 2 = 0.008, the fold-in YᵀY (CG rate) unchanged.
    const fast = estimateTrain(
      { ...input, neighbourMovies: 100 },
      assumptionValues({ ...nb, topNScoringGflops: 4, listScoringGflops: 2 }),
      US_EAST_1,
    );
    expect(fast.tasks.topN).toBeCloseTo(0.0126 + 0.000016, 9);
    expect(fast.tasks.similarMovies).toBeCloseTo(0.008 + 0.000016, 9);

    // At 1 MB/s: every gram task reads its CSR slice (500,000 × 8 bytes) and writes its float32
    // 100 × 100 partial (40,000 bytes): + 4.04 s; the solve reads both partials and writes the
    // model: 3 × 40,000 bytes = + 0.12 s.
    const slow = assumptionValues({ ...nb, s3BytesPerSecond: 1e6 });
    const s = estimateTrain({ ...input, neighbourMovies: 100 }, slow, US_EAST_1);
    expect(s.tasks.neighbourGram).toBeCloseTo(0.05 + 4.04, 9);
    expect(s.tasks.neighbourSolve).toBeCloseTo(0.12 + 0.00002 + 0.005 / 3, 9);
  });

  it('adds the refit and the neighbour stage to the wall time', () => {
    // The two cases above together: validation 0.5, 1 fit + 2 refit iterations, M = 100.
    // Prepare 10.000024 (the split does not change the scan) + 0.083872 + 2 × 0.161872
    // + neighbours 0.05 + 0.00002 + 0.005/3 + outputs max(0.050416, 0.016016) + publish 0.000016
    const both = assumptionValues({
      ...bare,
      validationShare: 0.5,
      neighbourRatingShare: 0.5,
      neighbourUserSpread: 2,
      neighbourGramUpdatesPerSecond: 2.5e8,
      neighbourCholeskyGflops: 1,
      neighbourInverseGflops: 1,
    });
    const e = estimateTrain(
      { ...input, iterations: 1, refitIterations: 2, neighbourMovies: 100 },
      both,
      US_EAST_1,
    );
    expect(e.wallSeconds).toBeCloseTo(
      10.000024 + 0.083872 + 0.323744 + 0.05 + 0.00002 + 0.005 / 3 + 0.050416 + 0.000016,
      9,
    );
  });

  it("prices task sizing's times: the same seconds at any prices, Lambda billed per memory size", () => {
    const sizing = sizeTrainRun(input, bare);
    const free: Prices = { ...US_EAST_1 };
    for (const price of Object.keys(free) as (keyof Prices)[]) free[price] = 0;
    for (const prices of [US_EAST_1, free]) {
      const e = estimateTrain(input, bare, prices);
      expect(e.wallSeconds).toBe(sizing.wallSeconds);
      expect(e.tasks).toEqual(sizing.tasks);
    }
    // Block tasks at 1,769 MB, scan and assemble at 2,048 MB, the small tasks at 1,769 MB (bare).
    const { solve, scan, small } = sizing.lambdaSeconds;
    const gbs = estimateTrain(input, bare, US_EAST_1).lines.find((l) => l.unit === 'GB-s')!;
    expect(gbs.quantity).toBeCloseTo((solve * 1769 + scan * 2048 + small * 1769) / 1024, 9);
    expect(gbs.dollars).toBeCloseTo(gbs.quantity * US_EAST_1.lambdaPerGbSecond, 12);
  });

  it('counts scan reads, invocations, transitions and S3 requests', () => {
    // Default assumptions: validation 0.2, so 5 fit + 5 refit = 10 iterations; 2 blocks, 2 ranges.
    const e = estimateTrain({ ...input, neighbourMovies: 2000 }, a, US_EAST_1);
    // ceil(1e6 × 40 bytes / 4096) = ceil(9765.625)
    expect(e.lines.find((l) => l.unit === 'RRU')!.quantity).toBe(9766);
    // Map items 2 ranges + 2 × (assemble, top-N, similar, neighbour gram + 3 × 10) = 70, plus
    // Plan, BuildIndex, Init, Publish, NeighbourSolve and 3 per iteration (30).
    expect(e.lambdaInvocations).toBe(70 + 5 + 30);
    // 8 + 7 × 10 + 6 + 2 = 86 states + 2 × 70 items
    expect(e.stateTransitions).toBe(226);
    // PUT: plan 1; scans 2 × (2 × 2 + 1) = 10; BuildIndex 3; assembles 2 × 6 = 12; Init 6;
    //   10 iterations × (2 × 2 blocks × 2 models + 4 sides + checkpoint) = 130; neighbour
    //   partials 2 + model 1; Publish 4 → 169.
    expect(e.lines.find((l) => l.item.startsWith('S3 PUT'))!.quantity).toBe(169);
    // GET: BuildIndex 2; assembles 2 × 2 × 2 = 8; Init 2; 10 × (2 × 2 × 4 + 2 × 2 × 2 + 2 × 4)
    //   = 320; neighbours 2 + 2; top-N 2 × 7, similar 2 × 6, Publish 6 → 368.
    expect(e.lines.find((l) => l.item.startsWith('S3 GET'))!.quantity).toBe(368);
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
    // ratings 1e6 × 1 table × 130 = 130,000,000 bytes; lists: 1,000 users × (50 × 8 + 130) =
    // 530,000 and 1,000 movies × (20 × 8 + 130) = 290,000 → 130,820,000 bytes = 0.13082 GB × $0.25
    expect(dollars['Keyspaces storage (ratings + outputs)']).toBeCloseTo(0.032705, 9);
    // CSV 27e6 bytes + the bundle: 2,000 rows × (21 rating + 64 ranking) floats × 4 = 680,000
    // and M = min(2,000, 1,000 movies)² × 4 = 4,000,000, + the raters index 1e6 × 4 + 1,000 × 8 =
    // 4,008,000 → 35,688,000 bytes = 0.035688 GB × $0.023
    expect(dollars['S3 storage (CSV, model bundle, raters index)']).toBeCloseTo(0.000820824, 9);
  });
});

describe('estimateCosts', () => {
  it('totals the three phases', () => {
    const e = estimateCosts(base);
    expect(e.totalDollars).toBeCloseTo(
      e.ingest.dollars + e.train.dollars + e.servingMonth.dollars,
      9,
    );
  });

  it('uses replacement prices', () => {
    const free = Object.fromEntries(
      Object.keys(US_EAST_1).map((k) => [k, 0]),
    ) as unknown as typeof US_EAST_1;
    expect(estimateCosts(base, { prices: free }).totalDollars).toBe(0);
  });
});
