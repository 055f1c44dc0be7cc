/**
 * The decisions of `GET /users/{id}/recommendations` (lambdas/core/serving/list-strategy.ts), case
 * by case as the route's documentation states them; the route itself is exercised end to end in
 * test/integration/api*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  chooseStrategy,
  excludedMovies,
  foldInReason,
  mayServeStored,
  popularityReason,
  staleVectorReason,
  type ListOptions,
} from '../../lambdas/core/serving/list-strategy.ts';

const plain: ListOptions = { limit: 10, genres: [], excludeRated: true, exclude: [] };
const known = { hasModel: true, known: true, stale: false, options: plain };

describe('excludedMovies', () => {
  const feedback = {
    ratings: [{ movieId: 1 }, { movieId: 2 }],
    likes: [
      { movieId: 3, liked: true },
      { movieId: 4, liked: false },
    ],
  };

  it('skips exclude, rated, liked and disliked movies by default', () => {
    const out = excludedMovies({ ...plain, exclude: [9] }, feedback);
    expect([...out].sort()).toEqual([1, 2, 3, 4, 9]);
  });

  it('with excludeRated=false keeps rated and liked movies but never a disliked one', () => {
    const out = excludedMovies({ ...plain, excludeRated: false, exclude: [9] }, feedback);
    expect([...out].sort()).toEqual([4, 9]);
  });
});

describe('staleVectorReason', () => {
  it('is null when nothing changed, or the ratings changed before the model was planned', () => {
    expect(staleVectorReason({ modelPlannedAt: 1000 })).toBeNull();
    expect(staleVectorReason({ ratingsChangedAt: 999, modelPlannedAt: 1000 })).toBeNull();
  });

  it('names a ratings change at or after planning, then any like', () => {
    expect(staleVectorReason({ ratingsChangedAt: 1000, modelPlannedAt: 1000 })).toBe(
      'ratings changed after the model was trained',
    );
    expect(staleVectorReason({ ratingsChangedAt: 5, likedAt: 6, modelPlannedAt: 1000 })).toBe(
      'the user liked movies (likes are folded in)',
    );
    // Both: the ratings change is the one named.
    expect(staleVectorReason({ ratingsChangedAt: 2000, likedAt: 6, modelPlannedAt: 1000 })).toBe(
      'ratings changed after the model was trained',
    );
  });
});

describe('chooseStrategy', () => {
  it('serves the stored list only when it is long enough, unfiltered and fresh', () => {
    expect(chooseStrategy({ ...known, storedCount: 10 })).toBe('stored');
    expect(chooseStrategy({ ...known, storedCount: 9 })).toBe('online');
    expect(chooseStrategy({ ...known, stale: true, storedCount: 10 })).toBe('fold-in');
  });

  it('scores on-line when a filter applies, whatever was stored', () => {
    for (const options of [
      { ...plain, genres: ['Drama'] },
      { ...plain, exclude: [5] },
      { ...plain, excludeRated: false },
    ]) {
      expect(mayServeStored({ ...known, options })).toBe(false);
      expect(chooseStrategy({ ...known, options, storedCount: 100 })).toBe('online');
    }
  });

  it('folds in a person the model never saw, and falls back to popularity without a model', () => {
    expect(chooseStrategy({ ...known, known: false, storedCount: 0 })).toBe('fold-in');
    expect(mayServeStored({ ...known, known: false })).toBe(false);
    expect(chooseStrategy({ ...known, hasModel: false, known: false, storedCount: 0 })).toBe(
      'popularity',
    );
    expect(mayServeStored({ ...known, hasModel: false })).toBe(false);
  });
});

describe('reasons', () => {
  it('say why a list was folded in or fell back', () => {
    expect(foldInReason(null)).toBe('user rated movies after the model was trained');
    expect(foldInReason('the user liked movies (likes are folded in)')).toBe(
      'the user liked movies (likes are folded in)',
    );
    expect(popularityReason(true)).toBe('the model has no data for this user');
    expect(popularityReason(false)).toBe('no model is active yet');
  });
});
