/**
 * The ranking bench step's TypeScript side: the split exported to the Python peers reads back as
 * the same rows, the peers' lists are parsed strictly, validation picks the right grid point, and
 * the summary table carries the figures.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeldOutMetrics } from '../../lambdas/core/eval/held-out-users.ts';
import { heldOutUsersSplit } from '../../lambdas/core/eval/held-out-users.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { lastJsonLine, parseListsCsv, writeSplitFiles } from '../../scripts/bench/ranking-files.ts';
import {
  bestPoint,
  describeParams,
  meanMetrics,
  type SystemResult,
} from '../../scripts/bench/ranking-report.ts';
import { writeSummary } from '../../scripts/bench/summary.ts';
import { TEST_RUN } from '../support/bench-run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-ranking-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const metrics = (ndcg100: number, users = 10): HeldOutMetrics => ({
  'recall@20': ndcg100 / 2,
  'recall@50': ndcg100,
  'ndcg@10': ndcg100 / 4,
  'ndcg@100': ndcg100,
  'precision@10': 0.1,
  'coverage@10': 0.05,
  users,
});

/** train.csv or given.csv as the Python peers read it: the header, then userId,movieId,rating. */
function readRatingsCsv(text: string): { userId: number; movieId: number; rating: number }[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe('userId,movieId,rating');
  return lines.map((line) => {
    const [userId, movieId, rating] = line.split(',').map(Number);
    return { userId: userId!, movieId: movieId!, rating: rating! };
  });
}

describe('split files', () => {
  it('train.csv and given.csv read back as the split: every row, given order kept', async () => {
    const { table } = generateRatingsTable({ ratings: 3_000, users: 60, movies: 150, seed: 3 });
    const split = heldOutUsersSplit(table, { seed: 0 });
    expect(split.users.length).toBeGreaterThan(0);
    const paths = writeSplitFiles(join(dir, 'split'), split);
    const train = readRatingsCsv(await readFile(paths.train, 'utf8'));
    expect(train).toHaveLength(split.train.length);
    train.forEach((row, i) => {
      expect(row).toEqual({
        userId: split.train.userIds[i],
        movieId: split.train.movieIds[i],
        rating: split.train.ratings[i],
      });
    });
    const given = readRatingsCsv(await readFile(paths.given, 'utf8'));
    expect(given).toEqual(
      split.users.flatMap((u) =>
        u.given.map((g) => ({ userId: u.userId, movieId: g.movieId, rating: g.rating })),
      ),
    );
    // Half stars survive the text round trip exactly.
    expect(new Set(train.map((r) => r.rating)).has(3.5)).toBe(true);
  });
});

describe("a peer's lists", () => {
  const users = [{ userId: 7 }, { userId: 3 }, { userId: 9 }];

  it('come back in the split order, ranks sorted, an empty list for a user without rows', () => {
    const text = 'userId,rank,movieId\n3,2,30\n7,1,10\n3,1,31\n7,3,12\n7,2,11\n';
    expect(parseListsCsv(text, users)).toEqual({
      lists: [[10, 11, 12], [31, 30], []],
      usersWithoutList: 1,
    });
  });

  it('are refused without their header, or when they name a stranger, repeat a rank or a movie, or are not numbers', () => {
    const header = 'userId,rank,movieId\n';
    expect(() => parseListsCsv('7,1,1\n', users, 'p')).toThrow(
      'p: expected the header "userId,rank,movieId", got "7,1,1"',
    );
    expect(() => parseListsCsv(header + '5,1,1\n', users, 'p')).toThrow(
      'p: user 5 is not a held-out user',
    );
    expect(() => parseListsCsv(header + '7,1,1\n7,1,2\n', users, 'p')).toThrow(
      'p: user 7 has rank 1 twice',
    );
    expect(() => parseListsCsv(header + '7,1,1\n7,2,1\n', users, 'p')).toThrow(
      'p: user 7 lists a movie twice',
    );
    expect(() => parseListsCsv(header + '7,1\n', users, 'p')).toThrow(
      'p: line 2 is not three numbers: "7,1"',
    );
  });

  it("the peer's report is the JSON object on the last line of its output", () => {
    expect(lastJsonLine<{ a: number }>('warning: x\n{"a": 1}\n', 'p')).toEqual({ a: 1 });
    expect(() => lastJsonLine('Traceback\n', 'p')).toThrow('p: no JSON object on the last line');
  });
});

describe('validation and seeds', () => {
  it('validation takes the best NDCG@100, the first on a tie', () => {
    const points = [0.3, 0.5, 0.5, 0.2].map((x, i) => ({
      params: { i },
      fitSeconds: 1,
      metrics: metrics(x),
    }));
    expect(bestPoint(points).params).toEqual({ i: 1 });
    expect(bestPoint(points, 'recall@20').params).toEqual({ i: 1 });
    expect(() => bestPoint([])).toThrow('no grid points');
  });

  it('the mean over seeds is per system and per metric, params listed per seed', () => {
    const result = (system: string, x: number, lambda: number): SystemResult => ({
      system,
      params: { lambda },
      fitSeconds: x * 10,
      recommendSeconds: 0,
      metrics: metrics(x, x * 100),
      usersWithoutList: 0,
    });
    const mean = meanMetrics([
      [result('ours', 0.4, 0), result('EASE', 0.2, 100)],
      [result('EASE', 0.4, 200), result('ours', 0.6, 0)],
    ]);
    expect(mean.map((m) => m.system)).toEqual(['ours', 'EASE']);
    expect(mean[0]!.metrics['ndcg@100']).toBeCloseTo(0.5, 12);
    expect(mean[0]!.metrics.users).toBeCloseTo(50, 9);
    expect(mean[1]!.metrics['ndcg@10']).toBeCloseTo(0.075, 12);
    expect(mean[1]!.fitSeconds).toBeCloseTo(3, 12);
    expect(mean[1]!.params).toEqual([{ lambda: 100 }, { lambda: 200 }]);
    expect(() => meanMetrics([[result('ours', 1, 0)], [result('EASE', 1, 0)]])).toThrow(
      'ours is missing from a seed',
    );
  });

  it('describes what each system fitted', () => {
    expect(describeParams('EASE', { lambda: 500, positives: true })).toBe('λ 500, X ratings ≥ 4');
    expect(
      describeParams('implicit ALS', {
        factors: 128,
        regularization: 1,
        confidence: 'rating',
        alpha: 4,
      }),
    ).toBe('128 factors, reg 1, rating α 4');
    expect(describeParams('ours', {})).toBe('defaults, untuned');
  });
});

describe('summary', () => {
  /** A ranking.json as ranking.ts writes it, with these data sets, in a new folder `out`. */
  const writeRankingJson = async (out: string, results: { datasets: unknown[] }) => {
    await mkdir(out, { recursive: true });
    const protocol = { selectOn: 'ndcg@100', seeds: [0] };
    await writeFile(
      join(out, 'ranking.json'),
      JSON.stringify({ run: TEST_RUN, protocol, ...results }),
    );
  };

  it('has one table per data set with every metric, fit seconds and the chosen params', async () => {
    const out = join(dir, 'summary');
    const system = (name: string, x: number, params: Record<string, unknown>) => ({
      system: name,
      metrics: metrics(x, 121),
      fitSeconds: 2.25,
      params: [params],
    });
    await writeRankingJson(out, {
      datasets: [
        {
          dataset: 'ml-latest-small',
          ratings: 100836,
          seeds: [],
          mean: [system('ours', 0.41, {}), system('EASE', 0.38, { lambda: 200, positives: false })],
        },
      ],
    });
    const summary = await readFile(writeSummary(out), 'utf8');
    expect(summary).toContain('**ml-latest-small** (100,836 ratings)');
    expect(summary).toContain(
      '| **ours** | 0.205 | 0.410 | 0.102 | 0.410 | 0.100 | 0.050 | 121 | 2.3 | defaults, untuned |',
    );
    expect(summary).toContain(
      '| EASE | 0.190 | 0.380 | 0.095 | 0.380 | 0.100 | 0.050 | 121 | 2.3 | λ 200, X all ratings |',
    );
    expect(summary).toContain('1-min load 0.5 → 1.5');
  });

  it('groups the data sets into one block per order, random first as the run listed them', async () => {
    const out = join(dir, 'summary-orders');
    const entry = (dataset: string, order: string, x: number) => ({
      dataset,
      order,
      ratings: 1000,
      seeds: [],
      mean: [{ system: 'ours', metrics: metrics(x, 10), fitSeconds: 1, params: [{}] }],
    });
    await writeRankingJson(out, {
      // As ranking.ts writes them: per data set, each order in turn.
      datasets: [entry('A', 'random', 0.4), entry('A', 'time', 0.2), entry('B', 'random', 0.3)],
    });
    const summary = await readFile(writeSummary(out), 'utf8');
    const at = (text: string) => summary.indexOf(text);
    const random = at('#### Random order');
    const time = at('#### Time order');
    expect(summary.split('#### Random order')).toHaveLength(2);
    expect(summary.split('#### Time order')).toHaveLength(2);
    // Rows start with Recall@20 = x/2 and Recall@50 = x: A random, B random, then A time.
    const aRandom = at('| **ours** | 0.200 | 0.400 |');
    const bRandom = at('| **ours** | 0.150 | 0.300 |');
    const aTime = at('| **ours** | 0.100 | 0.200 |');
    expect(random).toBeGreaterThan(0);
    expect(aRandom).toBeGreaterThan(random);
    expect(bRandom).toBeGreaterThan(aRandom);
    expect(time).toBeGreaterThan(bRandom);
    expect(aTime).toBeGreaterThan(time);
  });
});
