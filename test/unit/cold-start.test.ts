import { describe, expect, it } from 'vitest';
import { DEFAULT_ALS_OPTIONS, type AlsModel } from '../../lambdas/core/als/index.ts';
import {
  buildFeatureSpace,
  coldItemVector,
  contentVector,
  decodeContentModel,
  DEFAULT_CONTENT_SETTINGS,
  encodeContentModel,
  FeatureEncoder,
  fitContentForRanking,
  fitContentModel,
  MIN_FIT_MOVIES,
  type MovieContent,
} from '../../lambdas/core/content/content-model.ts';
import {
  coldItemMetrics,
  coldItemSplit,
  coldItemUsers,
  isColdMovie,
  randomColdItemMetrics,
} from '../../lambdas/core/eval/cold-items.ts';
import { latestLikes, isPositive, type FeedbackEvent } from '../../lambdas/core/feedback/events.ts';
import { trendingMovies } from '../../lambdas/core/feedback/trending.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { decodeBundle, encodeBundle } from '../../lambdas/core/recommender/bundle.ts';
import { Catalogue, type Movie } from '../../lambdas/core/serving/catalogue.ts';
import {
  blendSources,
  buildColdItems,
  coldCandidates,
  coldSlotPositions,
  similarToColdItem,
} from '../../lambdas/core/serving/cold-start.ts';

const GENRES = ['Action', 'Comedy', 'Drama', 'Horror'];

/** Movie m: one or two genres, a year, a tag on every third; deterministic. */
function content(m: number): MovieContent {
  const genres = [GENRES[m % 4]!, ...(m % 5 === 0 ? [GENRES[(m + 1) % 4]!] : [])];
  return { genres, year: 1950 + (m % 70), tags: m % 3 === 0 ? ['twist ending'] : [] };
}

/** A ranking-shaped model whose item factors ARE a linear function of content (rank 3). */
function plantedModel(items: number): { model: AlsModel; truth: (c: MovieContent) => number[] } {
  // Genre features weigh 1/√(genres of the movie), as the encoder's do.
  const truth = (c: MovieContent) => {
    const g = 1 / Math.sqrt(Math.max(1, c.genres.length));
    const y = [0, 0, 0.1];
    if (c.genres.includes('Horror')) y[0]! += g;
    if (c.genres.includes('Comedy')) y[1]! += g;
    if ((c.year ?? 0) >= 2000) y[2]! += 0.5;
    if (c.tags.includes('twist ending')) y[2]! += 0.25;
    return y;
  };
  const itemFactors = new Float32Array(items * 3);
  for (let m = 0; m < items; m++) itemFactors.set(truth(content(m + 1)), m * 3);
  return {
    model: {
      rank: 3,
      userIds: IdMap.fromIds([1, 2]),
      itemIds: IdMap.fromIds(Array.from({ length: items }, (_, m) => m + 1)),
      userFactors: Float32Array.of(1, 0, 0, 0, 1, 0),
      itemFactors,
      globalMean: 0,
      options: { ...DEFAULT_ALS_OPTIONS, rank: 3, implicit: true, ratingMin: 0.5, ratingMax: 5 },
      history: [],
    },
    truth,
  };
}

describe('content model (ridge regression from content to item factors)', () => {
  it('builds a feature space: genres, fixed year bins, tags on enough movies', () => {
    const space = buildFeatureSpace(
      [
        { genres: ['Drama'], year: 1999, tags: ['Twist  Ending', 'rare'] },
        { genres: ['Comedy', 'Drama'], year: null, tags: ['twist ending'] },
      ],
      { minTagMovies: 2, maxTags: 10 },
    );
    expect(space.genres).toEqual(['Comedy', 'Drama']);
    expect(space.tags).toEqual(['twist ending']);
    const encoder = new FeatureEncoder(space);
    const { index, value } = encoder.encode({
      genres: ['Drama', 'Nope'],
      year: 1999,
      tags: ['TWIST ENDING'],
    });
    // intercept, Drama, the 1990s bin, the tag.
    expect(index).toEqual([0, 2, 3 + 7, 3 + space.yearBins.length]);
    expect(value).toEqual([1, 1, 1, 1]);
    expect(encoder.encode({ genres: [], year: 1890, tags: [] }).index).toEqual([0, 3]);
  });

  it('recovers a planted linear map, and an unseen movie gets the map of its content', () => {
    const { model, truth } = plantedModel(200);
    const fitted = fitContentForRanking(model, new Int32Array(200).fill(50), (id) => content(id), {
      ...DEFAULT_CONTENT_SETTINGS,
      reg: 1e-3,
      minTagMovies: 2,
    })!;
    expect(fitted.fittedOn).toBe(200);
    const encoder = new FeatureEncoder(fitted.space);
    for (const m of [1001, 1002, 1015, 1033]) {
      const got = Array.from(contentVector(fitted, encoder, content(m)));
      const want = truth(content(m));
      for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(want[k]!, 2);
    }
    // No features at all: the intercept, which the ridge barely shrinks, near the mean vector.
    const ridge = fitContentForRanking(model, new Int32Array(200).fill(50), (id) => content(id))!;
    const none = contentVector(ridge, new FeatureEncoder(ridge.space), {
      genres: [],
      year: null,
      tags: [],
    });
    for (let k = 0; k < 3; k++) {
      let mean = 0;
      for (let m = 0; m < 200; m++) mean += model.itemFactors[m * 3 + k]! / 200;
      expect(Math.abs(none[k]! - mean)).toBeLessThan(0.15);
    }
  });

  it('leaves out thinly rated movies and refuses to fit on too few', () => {
    const { model } = plantedModel(40);
    const support = Int32Array.from({ length: 40 }, (_, m) => (m < 30 ? 10 : 1));
    expect(fitContentForRanking(model, support, (id) => content(id))!.fittedOn).toBe(30);
    expect(MIN_FIT_MOVIES).toBe(20);
    expect(fitContentForRanking(model, new Int32Array(40).fill(1), (id) => content(id))).toBeNull();
    // Movies the catalogue lacks do not take part either.
    expect(fitContentForRanking(model, new Int32Array(40).fill(9), () => undefined)).toBeNull();
  });

  it('round-trips through its file, and rides in the bundle as an optional file', async () => {
    const { model } = plantedModel(60);
    const fitted = fitContentModel(
      Array.from({ length: 60 }, (_, m) => content(m + 1)),
      model.itemFactors,
      3,
    );
    const back = decodeContentModel(encodeContentModel(fitted));
    expect(back).toEqual(fitted);
    const files = encodeBundle({
      ranking: model,
      neighbours: null,
      rating: null,
      blend: 0,
      policy: { minRatings: 1, popularityWeight: 0 },
      content: fitted,
    });
    expect([...files.keys()].sort()).toEqual(['content.bin', 'model.bin', 'recommender.json']);
    const read = (name: string) => Promise.resolve(files.get(name));
    expect((await decodeBundle(read)).content).toEqual(fitted);
    // A manifest written before the content model (no `content` key) loads without one.
    const old = new Map(files);
    old.delete('content.bin');
    const manifest = JSON.parse(new TextDecoder().decode(old.get('recommender.json')));
    delete manifest.content;
    old.set('recommender.json', new TextEncoder().encode(JSON.stringify(manifest)));
    expect((await decodeBundle((name) => Promise.resolve(old.get(name)))).content).toBeNull();
    // A manifest that names content.bin while the file is gone is an error, not a silent miss.
    files.delete('content.bin');
    await expect(decodeBundle(read)).rejects.toThrow(/content.bin is missing/);
  });

  it('mixes a rarely rated movie’s own factors with the content’s', () => {
    const predicted = Float32Array.of(1, 0);
    expect(coldItemVector(predicted, null, 0.5)).toBe(predicted);
    expect(Array.from(coldItemVector(predicted, [0, 1], 0.5))).toEqual([0.5, 0.5]);
  });
});

describe('cold items in serving', () => {
  const movie = (movieId: number, extra: Partial<Movie> = {}): Movie => ({
    movieId,
    title: `Movie ${movieId}`,
    year: content(movieId).year,
    genres: content(movieId).genres,
    imdbId: null,
    tmdbId: null,
    ratingCount: 0,
    ratingMean: null,
    topTags: content(movieId).tags,
    ...extra,
  });

  it('takes the movies the model lacks and those it has few ratings of', () => {
    const { model } = plantedModel(30);
    const fitted = fitContentForRanking(model, new Int32Array(30).fill(50), (id) => content(id))!;
    const support = Int32Array.from({ length: 30 }, (_, m) => (m === 4 ? 3 : 50));
    const movies = [movie(5), movie(6), movie(500), movie(7)];
    const cold = buildColdItems(model, support, fitted, movies);
    expect(Array.from(cold.movieIds)).toEqual([5, 500]);
    expect(Array.from(cold.ratings)).toEqual([3, 0]);
    // Without catalogue counts only movies the model lacks are cold.
    expect(Array.from(buildColdItems(model, support, fitted, movies, false).movieIds)).toEqual([
      500,
    ]);
    // A Horror lover (user 1 weighs factor 0, Horror) gets the Horror cold movie first.
    const horror = movie(500, { genres: ['Horror'], topTags: [] });
    const comedy = movie(501, { genres: ['Comedy'], topTags: [] });
    const both = buildColdItems(model, support, fitted, [horror, comedy]);
    expect(coldCandidates(both, [1, 0, 0], 2).map((m) => m.movieId)).toEqual([500, 501]);
    expect(coldCandidates(both, [0, 1, 0], 2).map((m) => m.movieId)).toEqual([501, 500]);
    expect(coldCandidates(both, [1, 0, 0], 2, (id) => id !== 500).map((m) => m.movieId)).toEqual([
      501,
    ]);
    // Similar movies of the new Horror movie: the model's Horror movies come first.
    const norms = Float32Array.from({ length: 30 }, (_, m) =>
      Math.hypot(...model.itemFactors.subarray(m * 3, m * 3 + 3)),
    );
    const similar = similarToColdItem(both, 500, model, { n: 3, norms, support, minRatings: 20 });
    expect(similar).toHaveLength(3);
    for (const s of similar) expect(content(s.movieId).genres).toContain('Horror');
    expect(similarToColdItem(both, 6, model, { n: 3, norms, support, minRatings: 20 })).toEqual([]);
  });

  it('puts cold movies in every round(1/share)-th place, the first positions fixed by the share', () => {
    expect(coldSlotPositions(10, 0.1)).toEqual([4]);
    expect(coldSlotPositions(30, 0.1)).toEqual([4, 14, 24]);
    expect(coldSlotPositions(4, 0.1)).toEqual([]);
    expect(coldSlotPositions(10, 0.2)).toEqual([2, 7]);
    expect(coldSlotPositions(3, 1)).toEqual([0, 1, 2]);
    expect(coldSlotPositions(10, 0)).toEqual([]);
  });

  it('blends sources: slots, a movie once, each item named by its source, fills when short', () => {
    const items = (...ids: number[]) => ids.map((movieId) => ({ movieId }));
    const model = { source: 'model' as const, items: items(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) };
    const list = blendSources(10, 0.1, model, items(3, 50, 51));
    expect(list.map((i) => i.movieId)).toEqual([1, 2, 3, 4, 50, 5, 6, 7, 8, 9]);
    expect(list.map((i) => i.source)).toEqual([
      ...Array(4).fill('model'),
      'cold-start',
      ...Array(5).fill('model'),
    ]);
    // The model runs short: cold movies take its places, then trending, then popular.
    const short = blendSources(8, 0.1, { source: 'model', items: items(1, 2) }, items(50, 51), [
      { source: 'trending', items: items(2, 60) },
      { source: 'popular', items: items(60, 70, 71, 72) },
    ]);
    expect(short.map((i) => `${i.source}:${i.movieId}`)).toEqual([
      'model:1',
      'model:2',
      'cold-start:50',
      'cold-start:51',
      'trending:60',
      'popular:70',
      'popular:71',
      'popular:72',
    ]);
    // Share 0: no cold movie at all, even when the model runs short.
    expect(blendSources(3, 0, { source: 'model', items: items(1) }, items(50)).length).toBe(1);
  });
});

describe('cold-item protocol', () => {
  const table = (() => {
    const b = new RatingsTableBuilder();
    for (let u = 1; u <= 40; u++)
      for (let m = 1; m <= 60; m++) if ((u + m) % 3 !== 0) b.push(u, m, ((u * m) % 10) / 2 + 0.5);
    return b.finish();
  })();

  it('holds out about 10 % of the movies with every rating, by hash, the same way every time', () => {
    const split = coldItemSplit(table, { seed: 3 });
    const cold = new Set(split.coldMovies);
    expect(cold.size).toBeGreaterThan(0);
    expect(cold.size).toBeLessThan(20);
    for (const id of cold) expect(isColdMovie(id, 3, 0.1)).toBe(true);
    for (let i = 0; i < split.train.length; i++)
      expect(cold.has(split.train.movieIds[i]!)).toBe(false);
    for (let i = 0; i < split.test.length; i++)
      expect(cold.has(split.test.movieIds[i]!)).toBe(true);
    expect(split.train.length + split.test.length).toBe(table.length);
    expect(coldItemSplit(table, { seed: 3 })).toEqual(split);
    // keep: each cold movie leaves that many ratings in training.
    const kept = coldItemSplit(table, { seed: 3, keep: 2 });
    expect(kept.train.length).toBe(split.train.length + 2 * cold.size);
    const users = coldItemUsers(kept);
    expect(users.some((u) => u.rated.size > 0)).toBe(true);
  });

  it('scores Recall@K as hits ÷ min(K, liked), and random by its exact expectation', () => {
    const users = [
      { userId: 1, liked: new Set([10, 11]), rated: new Set<number>() },
      { userId: 2, liked: new Set([12]), rated: new Set([10]) },
    ];
    const candidates = Int32Array.of(10, 11, 12, 13);
    // User 1 ranks 10 first (a hit), then 13; user 2 ranks 12 first. K = 2.
    const scores: Record<number, number[]> = { 1: [4, 1, 2, 3], 2: [9, 0, 5, 1] };
    const metrics = coldItemMetrics(users, candidates, (u) => scores[u.userId]!, 2);
    expect(metrics.recall).toBeCloseTo((1 / 2 + 1 / 1) / 2, 10);
    const random = randomColdItemMetrics(users, candidates, 2);
    // User 1: 2 liked of 4, 2 places: 1 expected hit of 2; user 2: 1 liked of 3 ranked: 2/3.
    expect(random.recall).toBeCloseTo((1 / 2 + 2 / 3) / 2, 10);
  });
});

describe('trending, likes, latest', () => {
  const ev = (
    userId: number,
    movieId: number,
    type: FeedbackEvent['type'],
    at: number,
    value: number | null = null,
  ): FeedbackEvent => ({
    eventId: `${userId}-${movieId}-${type}-${at}`,
    userId,
    movieId,
    type,
    value,
    at,
    recommendationId: null,
  });

  it('counts distinct interested users per movie in the window', () => {
    const events = [
      ev(1, 10, 'view', 100),
      ev(1, 10, 'click', 110), // the same user again: one
      ev(2, 10, 'like', 120),
      ev(3, 20, 'rating', 130, 2),
      ev(4, 20, 'impression', 140), // shown, not chosen
      ev(5, 20, 'dislike', 150),
      ev(6, 30, 'view', 50), // before the window
      ev(7, 40, 'view', 135),
    ];
    expect(trendingMovies(events, { from: 100, to: 200 })).toEqual([
      { movieId: 10, users: 2, lastAt: 120 },
      { movieId: 40, users: 1, lastAt: 135 },
      { movieId: 20, users: 1, lastAt: 130 },
    ]);
  });

  it('settles likes per user and movie: the latest wins, value 0 withdraws', () => {
    const likes = latestLikes([
      ev(1, 10, 'like', 100),
      ev(1, 10, 'dislike', 90),
      ev(1, 11, 'like', 100),
      ev(1, 11, 'like', 200, 0),
      ev(2, 10, 'rating', 300, 4),
    ]);
    expect(likes).toEqual([
      { userId: 1, movieId: 10, liked: true, at: 100 },
      { userId: 1, movieId: 11, liked: null, at: 200 },
    ]);
    expect(isPositive({ type: 'like', value: null })).toBe(true);
    expect(isPositive({ type: 'like', value: 0 })).toBe(false);
  });

  it('orders the latest movies by when they were added, then by year; updates in place', () => {
    const m = (movieId: number, year: number | null, addedAt: number | null = null): Movie => ({
      movieId,
      title: `T${movieId}`,
      year,
      genres: movieId % 2 ? ['Drama'] : ['Comedy'],
      imdbId: null,
      tmdbId: null,
      ratingCount: 0,
      ratingMean: null,
      topTags: [],
      addedAt,
    });
    let catalogue = new Catalogue([
      m(1, 1990),
      m(2, 2015),
      m(3, null),
      m(4, 2015),
      m(5, 1980, 1000),
    ]);
    expect(catalogue.latest({ by: 'added', limit: 5 }).map((x) => x.movieId)).toEqual([
      5, 4, 2, 1, 3,
    ]);
    expect(catalogue.latest({ by: 'year', limit: 5 }).map((x) => x.movieId)).toEqual([
      4, 2, 1, 5, 3,
    ]);
    expect(
      catalogue
        .latest({ by: 'year', limit: 5, genres: ['Drama'], exclude: new Set([1]) })
        .map((x) => x.movieId),
    ).toEqual([5, 3]);
    catalogue = catalogue
      .withMovie(m(6, 2001, 2000))
      .withMovie({ ...m(1, 1990), title: 'Renamed' });
    expect(catalogue.latest({ by: 'added', limit: 2 }).map((x) => x.movieId)).toEqual([6, 5]);
    expect(catalogue.size).toBe(6);
    expect(catalogue.search('renamed', { limit: 5 }).map((x) => x.movieId)).toEqual([1]);
    expect(catalogue.search('t1', { limit: 5 })).toEqual([]);
  });
});
