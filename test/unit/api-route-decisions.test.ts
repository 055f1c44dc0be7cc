import { describe, expect, it } from 'vitest';
import { armOf, modelForUser } from '../../lambdas/core/experiments/assignment.ts';
import { REFUSAL_RESPONSES } from '../../lambdas/core/experiments/refusals.ts';
import { latestLikes, latestRatings, parseEventsBody } from '../../lambdas/core/feedback/events.ts';
import { dislikeWrite, ratingWrite } from '../../lambdas/core/feedback/resource-events.ts';
import {
  catalogueGenres,
  foldInFallbackReason,
  foldInMovies,
} from '../../lambdas/core/serving/fold-in-request.ts';
import { personProfile } from '../../lambdas/core/serving/list-strategy.ts';
import { movieUpsert } from '../../lambdas/core/serving/movie-upsert.ts';
import {
  chooseSimilarStrategy,
  storedSimilarReadLimit,
} from '../../lambdas/core/serving/similar-strategy.ts';
import {
  bestRatedFirst,
  newestLikesFirst,
  ratingSummary,
} from '../../lambdas/core/serving/user-activity.ts';
import { parseFoldInBody } from '../../lambdas/core/serving/fold-in-body.ts';
import * as limits from '../../lambdas/core/serving/input-limits.ts';
import { ParameterReader } from '../../lambdas/services/api/parameter-reader.ts';
import { problemsOf } from '../support/invalid-input.ts';

// The decisions the API routes make, tested without I/O: each route reads and writes through the
// services and calls these (lambdas/core), so a rule here is the rule the route serves.

const NOW = Date.UTC(2026, 11, 7, 12);
const ids = { userId: 7, movieId: 42, eventId: 'e-1' };

describe('PUT /users/{u}/ratings/{m} and PUT|DELETE /users/{u}/dislikes/{m}', () => {
  const viaEvents = (event: Record<string, unknown>) =>
    parseEventsBody(
      { events: [{ ...event, eventId: 'e-1' }] },
      { now: NOW, movieExists: () => true },
    ).map((e) => ({ ...e, eventId: e.eventId! }));

  it('a rating is the events API’s rating event and the rating row it settles, in seconds', () => {
    const { event, row } = ratingWrite(ids, 4.5, NOW + 999);
    expect(event).toEqual({
      ...ids,
      type: 'rating',
      value: 4.5,
      at: NOW + 999,
      recommendationId: null,
    });
    expect(row).toEqual({ userId: 7, movieId: 42, rating: 4.5, ratedAt: NOW / 1000 });
    const sent = viaEvents({ userId: 7, movieId: 42, type: 'rating', value: 4.5 });
    expect(latestRatings(sent)).toEqual([ratingWrite(ids, 4.5, NOW).row]);
  });

  it('a dislike writes liked: false; its DELETE withdraws the like or dislike (value 0, row deleted)', () => {
    const put = dislikeWrite(ids, true, NOW);
    expect(put.event).toMatchObject({ type: 'dislike', value: null, at: NOW });
    expect(put.row).toEqual({ userId: 7, movieId: 42, liked: false, at: NOW });
    const withdrawn = dislikeWrite(ids, false, NOW);
    expect(withdrawn.event).toMatchObject({ type: 'dislike', value: 0 });
    expect(withdrawn.row).toEqual({ userId: 7, movieId: 42, liked: null, at: NOW });
  });

  it('writes what POST /events writes for the same dislike, so either way is one row', () => {
    const sent = viaEvents({ userId: 7, movieId: 42, type: 'dislike' });
    expect(latestLikes(sent)).toEqual([dislikeWrite(ids, true, NOW).row]);
    const undone = viaEvents({ userId: 7, movieId: 42, type: 'dislike', value: 0 });
    expect(latestLikes(undone)).toEqual([dislikeWrite(ids, false, NOW).row]);
  });
});

describe('experiments: the arm that serves a user, and the refusals', () => {
  const experiment = { name: 'rank-128', share: 0.5, candidate: 'candidate-model' };

  it('serves the candidate to its arm and the active model to the control arm, recording both', () => {
    const arms = new Set<string>();
    for (let userId = 1; userId <= 200; userId++) {
      const choice = modelForUser(userId, 'active-model', experiment);
      const arm = armOf('rank-128', userId, 0.5);
      arms.add(arm);
      expect(choice).toEqual({
        serving: arm === 'candidate' ? 'candidate-model' : 'active-model',
        experiment: 'rank-128',
        arm,
      });
      expect(modelForUser(userId, 'active-model', experiment)).toEqual(choice);
    }
    expect(arms).toEqual(new Set(['control', 'candidate']));
  });

  it('records no arm without a running experiment or without an active model', () => {
    expect(modelForUser(1, 'active-model', null)).toEqual({
      serving: 'active-model',
      experiment: null,
      arm: null,
    });
    expect(modelForUser(1, undefined, experiment)).toEqual({
      serving: undefined,
      experiment: null,
      arm: null,
    });
  });

  it('answers a refused request with its 4xx: invalid 400, conflict 409, unknown 404', () => {
    expect(REFUSAL_RESPONSES).toEqual({
      invalid: [400, 'bad_request'],
      conflict: [409, 'conflict'],
      not_found: [404, 'not_found'],
    });
  });
});

describe('POST /recommendations: the request against the catalogue', () => {
  const known = ['Action', 'Comedy', 'Sci-Fi'];

  it('takes genres in any case, in the catalogue’s spelling, each once, in the order asked', () => {
    expect(catalogueGenres(['sci-fi', 'ACTION', 'Sci-Fi'], known)).toEqual(['Sci-Fi', 'Action']);
    expect(catalogueGenres([], known)).toEqual([]);
  });

  it('refuses a genre the catalogue lacks with a 400 naming `genre`', () => {
    expect(problemsOf(() => catalogueGenres(['Comedy', 'Western'], known))).toEqual(['genre']);
  });

  it('finds the given movies the catalogue lacks and never returns given, excluded or disliked ones', () => {
    const body = {
      ratings: [{ movieId: 1, rating: 5 }],
      favorites: [2, 99],
      exclude: [3],
      dislikes: [4],
    };
    const movies = foldInMovies(body, (id) => id < 50);
    expect(movies).toEqual({
      given: [1, 2, 99],
      unknown: [99],
      noneKnown: false,
      skipped: [1, 2, 99, 3, 4],
    });
    expect(foldInMovies(body, () => false).noneKnown).toBe(true);
  });

  it('says why it fell back to popularity', () => {
    expect(foldInFallbackReason(true)).toBe('the model knows none of these movies');
    expect(foldInFallbackReason(false)).toBe('no model is active yet');
  });
});

describe('GET /users/{u}/recommendations: the person the fold-in sees', () => {
  it('counts likes of unrated movies as favourites and dislikes as a negative signal', () => {
    const ratings = [{ movieId: 1, rating: 2 }];
    const likes = [
      { movieId: 1, liked: true },
      { movieId: 2, liked: true },
      { movieId: 3, liked: false },
    ];
    expect(personProfile(ratings, likes)).toEqual({ ratings, favourites: [2], dislikes: [3] });
    expect(personProfile([], [])).toEqual({ ratings: [], favourites: [], dislikes: [] });
  });

  it('gives the fold-in each stored rating’s time (ratedAt) as its timestamp, none for 0', () => {
    const stored = [
      { movieId: 1, rating: 4, ratedAt: 1_700_000_000 },
      { movieId: 2, rating: 3, ratedAt: 0 },
    ];
    expect(personProfile(stored, []).ratings).toEqual([
      { movieId: 1, rating: 4, timestamp: 1_700_000_000 },
      { movieId: 2, rating: 3 },
    ]);
  });
});

describe('GET /movies/{m}/similar: which list', () => {
  it('places a cold movie by its content, whatever was stored', () => {
    expect(chooseSimilarStrategy({ cold: true, storedCount: 50, limit: 10 })).toBe('content');
  });

  it('serves the stored list when enough of it passes the filters, else computes it', () => {
    expect(chooseSimilarStrategy({ cold: false, storedCount: 10, limit: 10 })).toBe('stored');
    expect(chooseSimilarStrategy({ cold: false, storedCount: 9, limit: 10 })).toBe('online');
  });

  it('reads `limit` stored movies unfiltered and all of them under a filter', () => {
    expect(storedSimilarReadLimit(false, 12)).toBe(12);
    expect(storedSimilarReadLimit(true, 12)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('PUT /movies/{m}: added or updated', () => {
  const body = { title: 'New', genres: ['Drama'], year: 2026, tags: ['quiet'] };
  const ingested = {
    movieId: 5,
    title: 'Old',
    year: 1999,
    genres: ['Comedy'],
    imdbId: '0133093',
    tmdbId: 603,
    ratingCount: 12,
    ratingMean: 3.5,
    topTags: ['loud'],
    addedAt: null,
  };

  it('adds an unknown movie now (201), keeping the counts of a row that held only ratings', () => {
    expect(movieUpsert(5, body, undefined, NOW)).toEqual({
      created: true,
      movie: {
        movieId: 5,
        title: 'New',
        year: 2026,
        genres: ['Drama'],
        imdbId: null,
        tmdbId: null,
        ratingCount: 0,
        ratingMean: null,
        topTags: ['quiet'],
        addedAt: NOW,
      },
    });
    const countsOnly = { movieId: 5, title: null, ratingCount: 3, ratingMean: 4 };
    const upsert = movieUpsert(5, body, countsOnly, NOW);
    expect(upsert.created).toBe(true);
    expect(upsert.movie).toMatchObject({
      ratingCount: 3,
      ratingMean: 4,
      addedAt: NOW,
      imdbId: null,
    });
  });

  it('updates a listed movie (200): its links, counts and added time stay, the body replaces the rest', () => {
    expect(movieUpsert(5, body, ingested, NOW)).toEqual({
      created: false,
      movie: { ...ingested, title: 'New', year: 2026, genres: ['Drama'], topTags: ['quiet'] },
    });
    const added = { ...ingested, addedAt: NOW - 1000 };
    expect(movieUpsert(5, body, added, NOW).movie.addedAt).toBe(NOW - 1000);
  });
});

describe('GET /users/{u}/ratings: the summary and the orders', () => {
  const ratings = [
    { movieId: 1, rating: 3, ratedAt: 100 },
    { movieId: 2, rating: 5, ratedAt: 50 },
    { movieId: 3, rating: 5, ratedAt: 70 },
    { movieId: 4, rating: 1, ratedAt: 300 },
  ];

  it('summarizes the ratings as stored now', () => {
    expect(ratingSummary(ratings)).toEqual({
      ratingCount: 4,
      ratingMean: 3.5,
      firstRatedAt: 50,
      lastRatedAt: 300,
    });
    expect(ratingSummary([])).toEqual({
      ratingCount: 0,
      ratingMean: null,
      firstRatedAt: null,
      lastRatedAt: null,
    });
  });

  it('lists ratings best first, the newer first on a tie; likes newest first, then by movie', () => {
    expect(bestRatedFirst(ratings, 3).map((r) => r.movieId)).toEqual([3, 2, 1]);
    const likes = [
      { movieId: 9, liked: true, at: 10 },
      { movieId: 4, liked: false, at: 20 },
      { movieId: 2, liked: true, at: 20 },
    ];
    expect(newestLikesFirst(likes, 10).map((l) => l.movieId)).toEqual([2, 4, 9]);
    expect(newestLikesFirst(likes, 1)).toHaveLength(1);
  });
});

describe('input limits: one range per parameter', () => {
  const ranges = {
    RECOMMENDATION_LIMIT: limits.RECOMMENDATION_LIMIT,
    MOVIE_LIST_LIMIT: limits.MOVIE_LIST_LIMIT,
    NEIGHBOUR_LIMIT: limits.NEIGHBOUR_LIMIT,
    USER_RATINGS_LIMIT: limits.USER_RATINGS_LIMIT,
    TRENDING_DAYS: limits.TRENDING_DAYS,
    ONLINE_METRICS_DAYS: limits.ONLINE_METRICS_DAYS,
  };
  const read = (
    value: string | undefined,
    range: { min: number; max: number; fallback?: number },
  ) => {
    const reader = new ParameterReader(value === undefined ? {} : { n: value });
    const n = reader.int('n', { ...range, fallback: range.fallback ?? range.min });
    reader.done();
    return n;
  };

  it.each(Object.entries(ranges))(
    '%s: its ends pass, one past them is a 400, its default inside',
    (_name, range) => {
      expect(read(String(range.min), range)).toBe(range.min);
      expect(read(String(range.max), range)).toBe(range.max);
      expect(problemsOf(() => read(String(range.max + 1), range))).toEqual(['n']);
      expect(problemsOf(() => read(String(range.min - 1), range))).toEqual(['n']);
      const fallback = 'fallback' in range ? range.fallback : range.min;
      expect(read(undefined, range)).toBe(fallback);
      expect(fallback).toBeGreaterThanOrEqual(range.min);
      expect(fallback).toBeLessThanOrEqual(range.max);
    },
  );

  it('POST /recommendations takes the limits GET /users/{id}/recommendations takes', () => {
    const { min, max } = limits.RECOMMENDATION_LIMIT;
    const body = (limit: number) => ({ ratings: [{ movieId: 1, rating: 5 }], limit });
    expect(parseFoldInBody(body(min)).limit).toBe(min);
    expect(parseFoldInBody(body(max)).limit).toBe(max);
    expect(problemsOf(() => parseFoldInBody(body(max + 1)))).toEqual(['limit']);
    expect(problemsOf(() => parseFoldInBody(body(min - 1)))).toEqual(['limit']);
  });
});
