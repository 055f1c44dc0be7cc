import { describe, expect, it } from 'vitest';
import { RatingAggregator } from '../../lambdas/core/ingest/aggregates.ts';
import { buildCharts, sample } from '../../lambdas/core/ingest/eda-charts.ts';

describe('EDA charts', () => {
  const aggregates = new RatingAggregator();
  // Movie m gets m*10 ratings of 3.0 from distinct users, movie 4 none.
  let user = 0;
  for (const movieId of [1, 5, 12, 25]) {
    for (let i = 0; i < movieId * 10; i++) aggregates.add(++user, movieId, 3, 1000 + i);
  }
  aggregates.add(1, 5, 5, 10);
  const movies = [1, 4, 5, 12, 25].map((movieId) => ({
    movieId,
    genres: movieId === 4 ? [] : movieId % 2 ? ['Drama'] : ['Comedy', 'Drama'],
  }));
  const charts = buildCharts({
    aggregates,
    movies,
    tagsPerMovie: new Map([
      [1, 3],
      [12, 60],
    ]),
    maxPoints: 3,
  }) as Record<string, Record<string, unknown>>;

  it("bins movies by rating count with the old project's intervals", () => {
    expect(charts.movies_per_rating_count!.bins).toEqual([
      { label: '0-50', min: 0, max: 50, movies: 2 },
      { label: '50-100', min: 50, max: 100, movies: 1 },
      { label: '100-200', min: 100, max: 200, movies: 1 },
      { label: '200+', min: 200, max: null, movies: 1 },
    ]);
  });

  it('samples scatter points deterministically and within the bound', () => {
    const points = charts.movie_rating_count_vs_mean!.points as {
      movieId: number;
      count: number;
      mean: number;
    }[];
    expect(points).toHaveLength(3);
    expect(charts.movie_rating_count_vs_mean!.total).toBe(4);
    const movie5 = points.find((p) => p.movieId === 5);
    if (movie5) expect(movie5).toEqual({ movieId: 5, count: 51, mean: 3.039 });
    const ids = Array.from({ length: 10_000 }, (_, i) => i + 1);
    expect(sample(ids, (id) => id, 100)).toEqual(sample([...ids].reverse(), (id) => id, 100));
    expect(sample(ids, (id) => id, 100)).toHaveLength(100);
  });

  it('counts genres, tags per movie and rating values', () => {
    expect(charts.genre_counts!.genres).toEqual([
      { genre: 'Drama', movies: 4, ratings: 1 * 10 + 51 + 120 + 250 },
      { genre: '(no genres listed)', movies: 1, ratings: 0 },
      { genre: 'Comedy', movies: 1, ratings: 120 },
    ]);
    expect(charts.tags_per_movie!.bins).toEqual([
      { label: '0', movies: 3 },
      { label: '1', movies: 0 },
      { label: '2-5', movies: 1 },
      { label: '6-10', movies: 0 },
      { label: '11-50', movies: 0 },
      { label: '51+', movies: 1 },
    ]);
    expect(charts.rating_values!.values).toEqual([
      { rating: 3, count: 430 },
      { rating: 5, count: 1 },
    ]);
    expect(aggregates.users.get(1)).toEqual({
      count: 2,
      sum: 8,
      firstRatedAt: 10,
      lastRatedAt: 1000,
    });
  });

  it('merges partial aggregates of parallel scans into the same totals', () => {
    const a = new RatingAggregator();
    const b = new RatingAggregator();
    a.add(1, 1, 4, 5);
    b.add(1, 2, 2, 1);
    b.add(2, 1, 3, 9);
    a.merge(b);
    expect(a.ratings).toBe(3);
    expect(a.users.get(1)).toEqual({ count: 2, sum: 6, firstRatedAt: 1, lastRatedAt: 5 });
    expect(a.movies.get(1)).toEqual({ count: 2, sum: 7 });
  });
});
