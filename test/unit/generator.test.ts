import { describe, expect, it } from 'vitest';
import {
  biasPredictor,
  fitBiases,
  globalMeanPredictor,
} from '../../lambdas/core/eval/baselines.ts';
import { evaluatePredictor } from '../../lambdas/core/eval/evaluate.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import {
  parseMoviesCsv,
  parseLinksCsv,
  parseTagsCsv,
} from '../../lambdas/core/formats/catalogue-files.ts';
import { generateRatingsTable, MovieLensGenerator } from '../../lambdas/core/generator/dataset.ts';
import {
  defaultMovieCount,
  defaultUserCount,
  resolveGeneratorParams,
} from '../../lambdas/core/generator/params.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';

const N = 200_000;
const { table, metadata } = generateRatingsTable({ ratings: N, seed: 7 });

function countsOf(ids: Int32Array): number[] {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
}

describe('sizes', () => {
  it('derives users and movies from the rating count like ml-25m', () => {
    expect(defaultUserCount(25_000_095)).toBe(162_541);
    expect(defaultMovieCount(25_000_095)).toBe(62_423);
    expect(defaultMovieCount(100_836)).toBe(9_742);
    expect(metadata.users).toBe(defaultUserCount(N));
    expect(metadata.movies).toBe(defaultMovieCount(N));
  });

  it('rejects sizes that cannot be generated', () => {
    expect(() => resolveGeneratorParams({ ratings: 10, users: 11 })).toThrow(
      /need at least 11 ratings/,
    );
    expect(() => resolveGeneratorParams({ ratings: 101, users: 10, movies: 10 })).toThrow(
      /do not fit/,
    );
    expect(() => resolveGeneratorParams({ ratings: 0 })).toThrow(RangeError);
  });

  it('fills the catalogue completely when asked to (every user rates every movie)', () => {
    const full = generateRatingsTable({ ratings: 600, users: 20, movies: 30 }).table;
    expect(full.length).toBe(600);
    expect(countsOf(full.userIds).every((c) => c === 30)).toBe(true);
  });
});

describe('the ratings', () => {
  it('has exactly the requested rows, each (user, movie) pair once', () => {
    expect(table.length).toBe(N);
    const pairs = new Set<number>();
    for (let i = 0; i < table.length; i++)
      pairs.add(table.userIds[i]! * 2 ** 21 + table.movieIds[i]!);
    expect(pairs.size).toBe(N);
  });

  it('lists users in id order, each with increasing timestamps and at least 20 ratings', () => {
    for (let i = 1; i < table.length; i++) {
      const sameUser = table.userIds[i] === table.userIds[i - 1];
      if (!sameUser && table.userIds[i] !== table.userIds[i - 1]! + 1) {
        throw new Error(`user ids not consecutive at row ${i}`);
      }
      if (sameUser && table.timestamps[i]! <= table.timestamps[i - 1]!) {
        throw new Error(`timestamps not increasing at row ${i}`);
      }
    }
    expect(table.userIds[table.length - 1]).toBe(metadata.users);
    expect(Math.min(...countsOf(table.userIds))).toBeGreaterThanOrEqual(20);
  });

  it('uses the half-star scale with a MovieLens-like mean and spread', () => {
    let sum = 0;
    let squares = 0;
    for (const r of table.ratings) {
      if (r < 0.5 || r > 5 || r * 2 !== Math.round(r * 2)) throw new Error(`bad rating ${r}`);
      sum += r;
      squares += r * r;
    }
    const mean = sum / N;
    expect(mean).toBeGreaterThan(3.3);
    expect(mean).toBeLessThan(3.7);
    expect(Math.sqrt(squares / N - mean * mean)).toBeGreaterThan(0.9); // MovieLens: 1.04
  });

  it('has power-law popularity: the top 1% of movies take a large share', () => {
    const counts = countsOf(table.movieIds);
    const top = (fraction: number): number =>
      counts.slice(0, Math.floor(metadata.movies * fraction)).reduce((a, b) => a + b, 0) / N;
    // Uniform popularity would give 1% and 10%; ml-latest-small has 16% and 60%.
    expect(top(0.01)).toBeGreaterThan(0.12);
    expect(top(0.1)).toBeGreaterThan(0.45);
    // …and a long tail: the median movie gets well under the mean (ml-latest-small: 3 vs 10.4).
    const median = counts[Math.floor(metadata.movies / 2)] ?? 0;
    expect(median).toBeLessThan(N / metadata.movies / 2);
  });

  it('has heavy-tailed user activity', () => {
    const counts = countsOf(table.userIds);
    const median = counts[Math.floor(counts.length / 2)]!;
    expect(counts[0]! / median).toBeGreaterThan(10); // ml-latest-small: 2,698 / 71
  });

  it('is deterministic for a seed and different for another', () => {
    const same = generateRatingsTable({ ratings: 20_000, seed: 3 }).table;
    const again = generateRatingsTable({ ratings: 20_000, seed: 3 }).table;
    const other = generateRatingsTable({ ratings: 20_000, seed: 4 }).table;
    expect(again).toEqual(same);
    expect(other.movieIds).not.toEqual(same.movieIds);
  });
});

describe('the planted structure', () => {
  const holdout = (data: RatingsTable) => hashSplit(data, { test: 0.2, seed: 1 });

  it('reports an oracle RMSE at the noise level (rounding to half stars adds ~0.14 in quadrature)', () => {
    expect(metadata.noiseSd).toBe(0.5);
    expect(metadata.oracleRmse).toBeGreaterThan(0.45);
    expect(metadata.oracleRmse).toBeLessThan(Math.hypot(0.5, 0.5 / Math.sqrt(12)) + 0.01);
    const noiseless = generateRatingsTable({ ratings: 20_000, noiseSd: 0 }).metadata;
    expect(noiseless.oracleRmse).toBeLessThan(0.5 / Math.sqrt(12) + 0.01);
  });

  it('leaves room between bias-only and the oracle that only the taste vectors explain', () => {
    const { train, test } = holdout(table);
    const mean = evaluatePredictor(globalMeanPredictor(train), test).rmse;
    const bias = evaluatePredictor(biasPredictor(fitBiases(train)), test).rmse;
    expect(bias).toBeLessThan(mean - 0.1);
    expect(bias).toBeGreaterThan(metadata.oracleRmse + 0.15);
  });
});

describe('the catalogue files', () => {
  const generator = new MovieLensGenerator({ ratings: 20_000, seed: 5 });
  const movies = parseMoviesCsv([...generator.moviesCsv()].join(''));

  it('writes one movie per id with a unique MovieLens-style title, year and genres', () => {
    expect(movies).toHaveLength(generator.params.movies);
    expect(new Set(movies.map((m) => m.title)).size).toBe(movies.length);
    expect(movies.filter((m) => m.year !== null).length / movies.length).toBeGreaterThan(0.98);
    expect(movies.some((m) => m.title.includes(', The ('))).toBe(true);
    expect(movies.some((m) => [...m.title].some((c) => c.charCodeAt(0) > 127))).toBe(true);
    expect(movies.every((m) => m.genres.length <= 3)).toBe(true);
    expect(movies.filter((m) => m.genres.length >= 2).length).toBeGreaterThan(movies.length / 3);
  });

  it('keeps titles unique past the stem combinations (sequel numbers)', () => {
    const large = new MovieLensGenerator({ ratings: 40_000, users: 2, movies: 40_000 });
    const titles = parseMoviesCsv([...large.moviesCsv()].join('')).map((m) => m.title);
    expect(new Set(titles).size).toBe(40_000);
  });

  it('writes links for every movie and tags on rated pairs', () => {
    const links = parseLinksCsv([...generator.linksCsv()].join(''));
    expect(links.map((l) => l.movieId)).toEqual(movies.map((m) => m.movieId));
    expect(links.every((l) => /^\d{7}$/.test(l.imdbId))).toBe(true);
    let tagsText = '';
    let ratingsText = '';
    for (const chunk of generator.ratingChunks()) {
      tagsText += chunk.tags;
      ratingsText += chunk.ratings;
    }
    const tags = parseTagsCsv(tagsText);
    // ml-latest-small: 3,683 tags for 100,836 ratings.
    expect(tags.length / 20_000).toBeGreaterThan(0.02);
    expect(tags.length / 20_000).toBeLessThan(0.08);
    const rated = new Set(
      ratingsText
        .split('\n')
        .slice(1)
        .map((line) => line.split(',').slice(0, 2).join(',')),
    );
    expect(tags.every((t) => rated.has(`${t.userId},${t.movieId}`))).toBe(true);
  });
});
