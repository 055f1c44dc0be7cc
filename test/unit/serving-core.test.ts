import { describe, expect, it } from 'vitest';
import { encodeModel, predict, trainAls, userVector } from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { decodeBundle, encodeBundle } from '../../lambdas/core/recommender/bundle.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import {
  Catalogue,
  displayTitle,
  movieLinks,
  normalizeTitle,
  type Movie,
} from '../../lambdas/core/serving/catalogue.ts';
import { audienceWithStars } from '../../lambdas/core/serving/audience.ts';
import { parseFoldInBody } from '../../lambdas/core/serving/fold-in-body.ts';
import { audienceForItem, similarWithSupport } from '../../lambdas/core/serving/neighbours.ts';
import { problemsOf } from '../support/invalid-input.ts';
import {
  rankForVector,
  rankingPolicyFor,
  supportByItem,
} from '../../lambdas/core/serving/ranking.ts';
import {
  prepareRecommender,
  ratingUser,
  recommendForProfile,
  recommendForVector,
} from '../../lambdas/core/serving/recommender.ts';
import {
  ratingProfile,
  servingRecommender,
  SIMILAR_MIN_RATINGS,
  withPredictedRatings,
} from '../../lambdas/core/serving/serving-bundle.ts';
import { itemNorms } from '../../lambdas/core/als/index.ts';
import { ParameterReader, parseStrictInt } from '../../lambdas/services/api/parameter-reader.ts';

describe('ParameterReader', () => {
  it('accepts only plain decimal integers', () => {
    expect(parseStrictInt('42')).toBe(42);
    expect(parseStrictInt('0')).toBe(0);
    expect(parseStrictInt('-7')).toBe(-7);
    for (const bad of [
      '',
      ' 7',
      '7 ',
      '1e3',
      '0x10',
      '07',
      '-0',
      '1.0',
      '10abc',
      '99999999999999999',
    ]) {
      expect(parseStrictInt(bad), bad).toBeUndefined();
    }
  });

  it('collects every bad parameter before failing', () => {
    const reader = new ParameterReader(
      { limit: '0', genre: 'nope', flag: 'maybe', extra: '1' },
      { id: 'x' },
    );
    reader.only('limit', 'genre', 'flag');
    reader.pathId('id');
    reader.int('limit', { min: 1, max: 10, fallback: 5 });
    reader.choice('genre', ['Drama']);
    reader.bool('flag', true);
    expect(problemsOf(() => reader.done()).sort()).toEqual([
      'extra',
      'flag',
      'genre',
      'id',
      'limit',
    ]);
  });

  it('reads comma-separated genres (any of them) and id lists', () => {
    const reader = new ParameterReader({ genre: 'drama, Comedy,drama', exclude: '3,1,3' });
    expect(reader.choices('genre', ['Drama', 'Comedy', 'Horror'])).toEqual(['Drama', 'Comedy']);
    expect(reader.idList('exclude', 10)).toEqual([3, 1]);
    expect(reader.choices('missing', ['Drama'])).toEqual([]);
    expect(reader.idList('missing', 10)).toEqual([]);
    expect(() => reader.done()).not.toThrow();
    for (const [query, name] of [
      [{ genre: 'Drama,Nope' }, 'genre'],
      [{ genre: Array(21).fill('Drama').join(',') }, 'genre'],
      [{ exclude: '1,,2' }, 'exclude'],
      [{ exclude: '1,x' }, 'exclude'],
      [{ exclude: '0' }, 'exclude'],
      [{ exclude: '2147483648' }, 'exclude'],
      [{ exclude: '1.5' }, 'exclude'],
      [{ exclude: Array.from({ length: 11 }, (_, i) => i + 1).join(',') }, 'exclude'],
    ] as const) {
      const bad = new ParameterReader(query);
      bad.choices('genre', ['Drama']);
      bad.idList('exclude', 10);
      expect(
        problemsOf(() => bad.done()),
        JSON.stringify(query),
      ).toEqual([name]);
    }
  });

  it('returns canonical choices and fallbacks', () => {
    const reader = new ParameterReader({ genre: 'drama', flag: 'false' });
    expect(reader.choice('genre', ['Drama', 'Comedy'])).toBe('Drama');
    expect(reader.int('limit', { min: 1, max: 10, fallback: 5 })).toBe(5);
    expect(reader.bool('flag', true)).toBe(false);
    expect(() => reader.done()).not.toThrow();
  });
});

describe('parseFoldInBody', () => {
  it('accepts ratings, favourites and dislikes', () => {
    expect(
      parseFoldInBody({
        ratings: [{ movieId: 1, rating: 4.5 }],
        favorites: [2],
        limit: 5,
        genre: 'Drama',
      }),
    ).toEqual({
      ratings: [{ movieId: 1, rating: 4.5 }],
      favorites: [2],
      limit: 5,
      genres: ['Drama'],
      exclude: [],
      dislikes: [],
      diversity: 0,
    });
    expect(parseFoldInBody({ favorites: [2], dislikes: [7, 3] }).dislikes).toEqual([7, 3]);
    // Dislikes alone say what someone does not want, not what they do: still a 400.
    expect(problemsOf(() => parseFoldInBody({ dislikes: [7] }))).toEqual(['ratings']);
  });

  it('takes several genres (comma-separated or a list) and movies to exclude', () => {
    const parsed = (genre: unknown) =>
      parseFoldInBody({ favorites: [1], genre, exclude: [5, 6] }).genres;
    expect(parsed('Comedy, Drama')).toEqual(['Comedy', 'Drama']);
    expect(parsed(['Comedy', 'Drama', 'Comedy'])).toEqual(['Comedy', 'Drama']);
    expect(parsed('')).toEqual([]);
    expect(parseFoldInBody({ favorites: [1], exclude: [5, 6] }).exclude).toEqual([5, 6]);
    expect(problemsOf(() => parseFoldInBody({ favorites: [1], genre: [1] }))).toEqual(['genre']);
    expect(
      problemsOf(() => parseFoldInBody({ favorites: [1], genre: Array(21).fill('Drama') })),
    ).toEqual(['genre']);
    expect(problemsOf(() => parseFoldInBody({ favorites: [1], exclude: 5 }))).toEqual(['exclude']);
    expect(problemsOf(() => parseFoldInBody({ favorites: [1], exclude: [1, 'x'] }))).toEqual([
      'exclude.1',
    ]);
    expect(
      problemsOf(() =>
        parseFoldInBody({ favorites: [1], exclude: Array.from({ length: 501 }, (_, i) => i + 1) }),
      ),
    ).toEqual(['exclude']);
  });

  it('names each bad field by its path', () => {
    expect(problemsOf(() => parseFoldInBody([]))).toEqual(['body']);
    expect(problemsOf(() => parseFoldInBody({}))).toEqual(['ratings']);
    expect(
      problemsOf(() =>
        parseFoldInBody({
          ratings: [
            { movieId: 1, rating: 9 },
            { movieId: -2, rating: 3 },
          ],
          favorites: [1, 'x'],
          limit: 0,
          other: 1,
        }),
      ).sort(),
    ).toEqual(['favorites.1', 'limit', 'other', 'ratings.0.rating', 'ratings.1.movieId']);
    expect(
      problemsOf(() =>
        parseFoldInBody({ favorites: Array.from({ length: 5001 }, (_, i) => i + 1) }),
      ),
    ).toEqual(['favorites']);
  });
});

const movie = (movieId: number, title: string, genres: string[], ratingCount: number): Movie => ({
  movieId,
  title,
  year: null,
  genres,
  imdbId: movieId === 1 ? '114709' : null,
  tmdbId: movieId === 1 ? 862 : null,
  ratingCount,
  ratingMean: 3.5,
  topTags: [],
});

describe('Catalogue', () => {
  const catalogue = new Catalogue([
    movie(1, 'Toy Story (1995)', ['Animation', 'Comedy'], 215),
    movie(2, 'American President, The (1995)', ['Comedy', 'Drama'], 30),
    movie(3, 'Léon: The Professional (a.k.a. "The Professional") (1994)', ['Action'], 100),
    movie(4, 'Toy Soldiers (1991)', ['Action'], 10),
    movie(5, 'Story of Us, The (1999)', ['Comedy'], 20),
  ]);

  it('normalizes titles and restores leading articles', () => {
    expect(normalizeTitle('Léon: The Professional')).toBe('leon the professional');
    expect(displayTitle('American President, The (1995)')).toBe('The American President');
    expect(movieLinks(catalogue.get(1)!)).toEqual({
      imdb: 'https://www.imdb.com/title/tt0114709/',
      tmdb: 'https://www.themoviedb.org/movie/862',
    });
  });

  it('matches word prefixes, best match first', () => {
    expect(catalogue.search('toy', { limit: 10 }).map((m) => m.movieId)).toEqual([1, 4]);
    expect(catalogue.search('TOY STORY', { limit: 10 }).map((m) => m.movieId)).toEqual([1]);
    expect(catalogue.search('the american president', { limit: 10 }).map((m) => m.movieId)).toEqual(
      [2],
    );
    expect(catalogue.search('leon', { limit: 10 }).map((m) => m.movieId)).toEqual([3]);
    expect(catalogue.search('story', { limit: 10 }).map((m) => m.movieId)).toEqual([5, 1]);
    expect(catalogue.search('toy', { limit: 10, genre: 'Action' }).map((m) => m.movieId)).toEqual([
      4,
    ]);
    expect(catalogue.search('oy', { limit: 10 })).toEqual([]);
  });

  it('lists popular movies per genre, skipping exclusions', () => {
    expect(catalogue.popular({ limit: 3 }).map((m) => m.movieId)).toEqual([1, 3, 2]);
    expect(
      catalogue.popular({ limit: 3, genre: 'Comedy', exclude: new Set([1]) }).map((m) => m.movieId),
    ).toEqual([2, 5]);
    expect(
      catalogue
        .popular({ limit: 5, genres: ['Action', 'Drama'], exclude: new Set([3]) })
        .map((m) => m.movieId),
    ).toEqual([2, 4]);
    expect(catalogue.genres).toEqual(['Action', 'Animation', 'Comedy', 'Drama']);
  });
});

describe('ranking and neighbours', () => {
  // Two taste groups: users 1–20 watch movies 1–3, users 21–40 movies 4–6; movie 7 is rare.
  const table = new RatingsTableBuilder();
  for (let u = 1; u <= 40; u++) {
    for (let m = u <= 20 ? 1 : 4; m <= (u <= 20 ? 3 : 6); m++) {
      if ((u + m) % 4 === 0) continue;
      table.push(u, m, 5);
    }
  }
  table.push(1, 7, 5);
  const model = trainAls(table.finish(), { rank: 4, iterations: 10, implicit: true });
  const support = Int32Array.from(model.itemIds.ids, (id) => (id === 7 ? 1 : 25));

  it('filters weakly supported movies and honours exclusions and masks', () => {
    const user = userVector(model, 2)!;
    const policy = { minRatings: 5, popularityWeight: 0 };
    const all = rankForVector(model, user, { n: 10, support, policy });
    expect(all.map((m) => m.movieId)).not.toContain(7);
    expect(
      all
        .slice(0, 3)
        .map((m) => m.movieId)
        .sort(),
    ).toEqual([1, 2, 3]);
    const exclude = new Set([model.itemIds.indexOf(1)]);
    expect(
      rankForVector(model, user, { n: 10, support, policy, exclude }).map((m) => m.movieId),
    ).not.toContain(1);
    const allowed = Uint8Array.from(model.itemIds.ids, (id) => (id >= 4 ? 1 : 0));
    const masked = rankForVector(model, user, { n: 10, support, policy, allowed }).map(
      (m) => m.movieId,
    );
    expect(masked.every((id) => id >= 4)).toBe(true);
    expect(
      rankForVector(model, user, { n: 10, support, policy: { minRatings: 0, popularityWeight: 0 } })
        .length,
    ).toBe(7);
    expect(rankingPolicyFor(model).popularityWeight).toBe(0);
  });

  it('finds neighbours within a taste group and an audience among non-raters', () => {
    const similar = similarWithSupport(model, 1, {
      n: 2,
      norms: itemNorms(model),
      support,
      minRatings: 5,
    });
    expect(similar.map((m) => m.movieId).sort()).toEqual([2, 3]);
    // Filters drop candidates without reordering the rest.
    const wider = similarWithSupport(model, 1, {
      n: 10,
      norms: itemNorms(model),
      support,
      minRatings: 0,
    });
    const allowed = new Uint8Array(model.itemIds.size).fill(1);
    allowed[model.itemIds.indexOf(2)] = 0;
    const filtered = similarWithSupport(model, 1, {
      n: 10,
      norms: itemNorms(model),
      support,
      minRatings: 0,
      allowed,
      exclude: new Set([model.itemIds.indexOf(3)]),
    });
    expect(filtered.map((m) => m.movieId)).toEqual(
      wider.map((m) => m.movieId).filter((id) => id !== 2 && id !== 3),
    );
    const audience = audienceForItem(model, 4, { n: 5, exclude: new Set([21, 22]) });
    expect(audience).toHaveLength(5);
    for (const { userId } of audience) {
      expect(userId).toBeGreaterThan(22);
    }
  });
});

describe('serving a model bundle', () => {
  const { table } = generateRatingsTable({ ratings: 6_000, users: 150, movies: 200, seed: 11 });
  const options = {
    ...DEFAULT_RECOMMENDER_OPTIONS,
    als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank: 8, iterations: 5 },
    neighbours: { ...DEFAULT_RECOMMENDER_OPTIONS.neighbours, maxItems: 120 },
  };
  const fitted = fitRecommender(table, options);
  const rating = trainAls(table, { rank: 4, iterations: 5 });
  const counts = new Map<number, number>();
  for (const movieId of table.movieIds) counts.set(movieId, (counts.get(movieId) ?? 0) + 1);
  const decode = (files: Map<string, Uint8Array>) => decodeBundle(async (name) => files.get(name));

  it('ranks a published bundle exactly as the fitted recommender (catalogue counts = support)', async () => {
    const bundle = await decode(
      encodeBundle({
        ranking: fitted.ranking,
        neighbours: fitted.neighbours,
        rating,
        blend: options.blend,
        policy: options.policy,
      }),
    );
    const { recommender, hasCounts } = servingRecommender(bundle, (id) => counts.get(id));
    expect(hasCounts).toBe(true);
    expect(recommender.blend).toBe(options.blend);
    expect(recommender.neighbours).not.toBeNull();
    expect(Array.from(recommender.support)).toEqual(Array.from(fitted.recommender.support));
    const profile = {
      ratings: [
        { movieId: table.movieIds[0]!, rating: 5 },
        { movieId: table.movieIds[1]!, rating: 2 },
      ],
      favourites: [table.movieIds[2]!],
    };
    const request = { n: 25, exclude: new Set([0, 1]) };
    const served = recommendForProfile(recommender, profile, request);
    expect(served.used).toBe(3);
    expect(served.items).toHaveLength(25);
    expect(served).toEqual(recommendForProfile(fitted.recommender, profile, request));
    // The blend changes the list: the factor model alone ranks differently.
    const factorsOnly = prepareRecommender({ ...recommender, neighbours: null, blend: 0 });
    expect(recommendForProfile(factorsOnly, profile, request).items).not.toEqual(served.items);
  });

  it('predicts stars beside a list, rounded to 0.01, never reordering it', () => {
    const userId = table.userIds[0]!;
    const trained = ratingUser(rating, userId, [])!;
    const items = [{ movieId: table.movieIds[5]! }, { movieId: table.movieIds[6]! }];
    const shown = withPredictedRatings(items, rating, trained);
    expect(shown.map((m) => m.movieId)).toEqual(items.map((m) => m.movieId));
    shown.forEach((movie, k) => {
      const exact = predict(rating, userId, items[k]!.movieId);
      expect(movie.predictedRating).toBe(Math.round(exact * 100) / 100);
      expect(movie.predictedRating).toBeGreaterThanOrEqual(0.5);
      expect(movie.predictedRating).toBeLessThanOrEqual(5);
    });
    expect(withPredictedRatings(items, null, null).map((m) => m.predictedRating)).toEqual([
      null,
      null,
    ]);
    expect(withPredictedRatings(items, rating, null)[0]!.predictedRating).toBeNull();
  });

  it('gives the audience the rating model’s stars as predicted and the ranking model’s x·y as score', () => {
    const movieId = table.movieIds[7]!;
    const audience = audienceForItem(fitted.ranking, movieId, { n: 6, exclude: new Set() });
    const shown = audienceWithStars(audience, rating, movieId);
    expect(shown.map((m) => m.userId)).toEqual(audience.map((a) => a.userId));
    // Each field recomputed by hand from its own model's arrays.
    const dot = (model: typeof rating, userId: number) => {
      const u = model.userIds.indexOf(userId);
      const i = model.itemIds.indexOf(movieId);
      let s = 0;
      for (let k = 0; k < model.rank; k++) {
        s += model.userFactors[u * model.rank + k]! * model.itemFactors[i * model.rank + k]!;
      }
      return { u, i, s };
    };
    for (const member of shown) {
      const ranked = dot(fitted.ranking, member.userId);
      expect(member.score).toBe(Math.round(ranked.s * 1000) / 1000);
      // Stars: clamp(μ + b_u + b_i + x·y) to the rating scale.
      const { u, i, s } = dot(rating, member.userId);
      const raw = rating.globalMean + rating.userBias![u]! + rating.itemBias![i]! + s;
      const stars = Math.min(rating.options.ratingMax, Math.max(rating.options.ratingMin, raw));
      expect(member.predicted).toBe(Math.round(stars * 100) / 100);
      expect(member.predicted).toBe(
        Math.round(predict(rating, member.userId, movieId) * 100) / 100,
      );
    }
    // Without a rating model there are no stars, only the ranking score.
    expect(audienceWithStars(audience, null, movieId).map((m) => m.predicted)).toEqual(
      audience.map(() => null),
    );
  });

  it('reads favourites as the rating model’s top stars, a later entry winning', () => {
    const profile = { ratings: [{ movieId: 1, rating: 2 }], favourites: [1, 2] };
    expect(ratingProfile(rating, profile)).toEqual([
      { movieId: 1, rating: rating.options.ratingMax },
      { movieId: 2, rating: rating.options.ratingMax },
    ]);
    // A user the rating model never saw is folded in from the profile; nothing known → null.
    expect(ratingUser(rating, null, ratingProfile(rating, profile))).not.toBeNull();
    expect(ratingUser(rating, null, [{ movieId: 987654, rating: 4 }])).toBeNull();
  });

  it('serves a version-1 explicit model as before: same list as rankForVector, stars from itself', async () => {
    const bundle = await decode(new Map([['model.bin', encodeModel(rating)]]));
    expect(bundle.rating).not.toBeNull();
    expect(bundle.neighbours).toBeNull();
    const { recommender } = servingRecommender(bundle, (id) => counts.get(id));
    expect(recommender.policy).toEqual(rankingPolicyFor(rating));
    const support = supportByItem(rating, (id) => counts.get(id));
    for (const userId of [table.userIds[0]!, table.userIds[100]!]) {
      const user = userVector(bundle.ranking, userId)!;
      const expected = rankForVector(bundle.ranking, user, { n: 20, support });
      expect(recommendForVector(recommender, user, [], { n: 20 })).toEqual(expected);
    }
  });

  it('drops the support filter when the catalogue has no counts (and similar movies’ too)', async () => {
    const bundle = await decode(new Map([['model.bin', encodeModel(fitted.ranking)]]));
    expect(bundle.rating).toBeNull();
    const { recommender, hasCounts } = servingRecommender(bundle, () => undefined);
    expect(hasCounts).toBe(false);
    expect(recommender.policy.minRatings).toBe(0);
    const user = userVector(bundle.ranking, table.userIds[0]!)!;
    expect(recommendForVector(recommender, user, [], { n: 10 })).toHaveLength(10);
    expect(SIMILAR_MIN_RATINGS).toBe(20);
  });
});
