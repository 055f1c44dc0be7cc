import { describe, expect, it } from 'vitest';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { cutToShape, usersSince, wholeStars } from '../../scripts/bench/real-shapes.ts';

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

  it('keeps the users whose first rating is at or after a time, with all their ratings', () => {
    const b = new RatingsTableBuilder();
    b.push(1, 1, 4, 100); // user 1 starts at 100
    b.push(1, 2, 4, 300);
    b.push(2, 1, 3, 200);
    b.push(2, 3, 5, 50); // user 2 starts at 50, before the cut
    b.push(3, 2, 2, 250); // user 3 starts at 250
    b.push(3, 4, 1, 400);
    const cut = usersSince(b.finish(), 100);
    expect([...cut.userIds]).toEqual([1, 1, 3, 3]);
    expect([...cut.timestamps]).toEqual([100, 300, 250, 400]);
  });
});
