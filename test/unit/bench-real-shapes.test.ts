import { describe, expect, it } from 'vitest';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { cutToShape, wholeStars } from '../../scripts/bench/real-shapes.ts';

describe('real-data MovieLens shapes for the ranking bench', () => {
  const builder = new RatingsTableBuilder();
  // Movie 1 rated by users 1–4, movie 2 by users 1–3, movie 3 by users 1–2, movie 4 by user 1.
  for (const [user, movies] of [
    [1, [1, 2, 3, 4]],
    [2, [1, 2, 3]],
    [3, [1, 2]],
    [4, [1]],
  ] as const) {
    for (const movie of movies) builder.push(user, movie, 3.5, 0);
  }
  const table = builder.finish();

  it('keeps the most-rated movies, then users with enough ratings among them', () => {
    const cut = cutToShape(table, 2, 2);
    // Movies 1 and 2 stay; user 4 has one rating among them and goes.
    expect([...new Set(cut.movieIds)].sort()).toEqual([1, 2]);
    expect([...new Set(cut.userIds)].sort()).toEqual([1, 2, 3]);
    expect(cut.length).toBe(6);
  });

  it('rounds half stars up to whole stars', () => {
    expect([...wholeStars(table).ratings.slice(0, 2)]).toEqual([4, 4]);
  });
});
