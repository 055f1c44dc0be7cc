import { randomInt } from 'node:crypto';
import { describe, afterAll, beforeAll, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { apiClient, HORROR, movieIds } from '../support/api-client.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';
import { storedRatedAt } from '../support/stored-rated-at.ts';

/**
 * Cold start, sources and likes over HTTP against `recsys serve` and a real Cassandra (the shared
 * ml-latest-small keyspace, whose bundle carries a content model): a movie added with
 * `PUT /movies/{id}` is in the catalogue at once, has similar movies and is recommended to the
 * people its content suits; `GET /movies/latest` and `/movies/trending`; likes fold into a user's
 * list and come back with their ratings. Everything written is removed afterwards.
 */
const KEY = 'cold-start-test-key-0123456789';

const ROMANCE = [1721, 2396, 539, 597, 1088]; // Titanic, Shakespeare in Love, Sleepless in Seattle, Pretty Woman, Dirty Dancing

describe('cold start, sources and likes on ml-latest-small', () => {
  let data: ServingData;
  let server: ServeProcess;
  /** A second server where every place goes to cold movies: their order, in full. */
  let coldOnly: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  const callCold = apiClient(() => coldOnly.url, KEY);
  const run = randomInt(1_000_000);
  // Ids no data set uses, new on every run.
  const newMovie = 2_050_000_000 + run;
  const fan = 2_060_000_000 + run;
  const viewers = Array.from({ length: 4 }, (_, i) => 2_070_000_000 + run * 4 + i);
  const written: [number, number][] = [];

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-cold-start] ${line}`));
    server = await startRecsysServe({
      keyspace: data.keyspace,
      apiKey: KEY,
      // Cold-start exploration is opt-in; these tests exercise its slots.
      env: { RECSYS_COLD_START_SHARE: '0.1' },
    });
  });
  afterAll(async () => {
    if (server) {
      for (const [userId, movieId] of written) {
        await call(`/users/${userId}/ratings/${movieId}`, { method: 'DELETE' });
      }
    }
    await Promise.all([server?.stop(), coldOnly?.stop()]);
    if (data) {
      const { db } = data.stores;
      await db.execute(`DELETE FROM ${db.table('movies')} WHERE movie_id = ?`, [newMovie]);
      for (const userId of [fan, ...viewers]) {
        await db.execute(`DELETE FROM ${db.table('user_likes')} WHERE user_id = ?`, [userId]);
        await db.execute(`DELETE FROM ${db.table('user_rating_changes')} WHERE user_id = ?`, [
          userId,
        ]);
      }
      await data.close();
    }
  });

  it('adds a movie at run time: 201, then 200 on an update; the catalogue shows it at once', async () => {
    const created = await call(`/movies/${newMovie}`, {
      method: 'PUT',
      body: {
        title: 'The Haunting at Hill Crest (2024)',
        genres: ['horror', 'Thriller'],
        year: 2024,
        tags: ['Creepy', 'atmospheric', 'haunted house', 'creepy'],
      },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.created).toBe(true);
    expect(created.json.movie).toMatchObject({
      movieId: newMovie,
      genres: ['Horror', 'Thriller'],
      year: 2024,
      topTags: ['creepy', 'atmospheric', 'haunted house'],
      ratingCount: 0,
    });
    const addedAt = created.json.movie.addedAt as number;
    expect(addedAt).toBeGreaterThan(Date.now() - 60_000);

    const shown = await call(`/movies/${newMovie}`);
    expect(shown.status).toBe(200);
    expect(shown.json.title).toBe('The Haunting at Hill Crest (2024)');
    const found = await call('/movies?search=haunting hill crest');
    expect(movieIds(found.json.items)).toContain(newMovie);

    const updated = await call(`/movies/${newMovie}`, {
      method: 'PUT',
      body: {
        title: 'The Haunting at Hill Crest',
        genres: ['Horror'],
        year: 2024,
        tags: ['creepy', 'atmospheric', 'haunted house', 'ghosts'],
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.created).toBe(false);
    expect(updated.json.movie.addedAt).toBe(addedAt);
    expect((await call(`/movies/${newMovie}`)).json.genres).toEqual(['Horror']);

    // Newest added first.
    const latest = await call('/movies/latest?limit=5');
    expect(latest.json.items[0]).toMatchObject({ movieId: newMovie, addedAt });
    expect(movieIds((await call('/movies/latest?limit=5&genre=Comedy')).json.items)).not.toContain(
      newMovie,
    );
  });

  it('has similar movies from its content the moment it exists', async () => {
    const similar = await call(`/movies/${newMovie}/similar?limit=12`);
    expect(similar.status).toBe(200);
    expect(similar.json.strategy).toBe('content');
    expect(similar.json.items).toHaveLength(12);
    const horror = similar.json.items.filter((m: { genres: string[] }) =>
      m.genres.includes('Horror'),
    ).length;
    // Measured: 10 of 12 are Horror (Rosemary's Baby, The Exorcist, The Shining, …), where 10 %
    // of ml-latest-small's movies are.
    expect(horror).toBeGreaterThanOrEqual(6);
    expect(movieIds(similar.json.items)).not.toContain(newMovie);
  });

  it('ranks it for the people its content suits: far up for a Horror fan, down for a Romance fan', async () => {
    // Another process, started after the PUT (as a container whose catalogue TTL ran out).
    coldOnly = await startRecsysServe({
      keyspace: data.keyspace,
      apiKey: KEY,
      env: { RECSYS_COLD_START_SHARE: '1' },
    });
    const rankFor = async (favorites: number[]) => {
      const reply = await callCold('/recommendations', { body: { favorites, limit: 100 } });
      expect(reply.status).toBe(200);
      for (const item of reply.json.items) expect(item.source).toBe('cold-start');
      const at = movieIds(reply.json.items).indexOf(newMovie);
      return at < 0 ? Infinity : at;
    };
    const [horror, romance] = await Promise.all([rankFor(HORROR), rankFor(ROMANCE)]);
    // Measured: first of ~7,500 cold movies for the Horror fan, outside the top 100 for the other.
    expect(horror).toBeLessThan(10);
    expect(romance).toBe(Infinity);
  });

  it('blends sources in a user list: model, a cold movie in the 5th place; likes fold in and persist', async () => {
    const before = await call(`/users/${fan}/recommendations`);
    expect(before.json.strategy).toBe('popularity');
    for (const item of before.json.items) expect(item.source).toBe('popular');

    // Two ratings and three likes: likes count as favourites in the fold-in.
    for (const movieId of HORROR.slice(0, 2)) {
      written.push([fan, movieId]);
      const reply = await call(`/users/${fan}/ratings/${movieId}`, {
        method: 'PUT',
        body: { rating: 5 },
      });
      expect(reply.status).toBe(200);
    }
    const likes = await call('/events', {
      body: {
        events: [
          ...HORROR.slice(2).map((movieId) => ({ userId: fan, movieId, type: 'like' })),
          { userId: fan, movieId: 1721, type: 'dislike' },
        ],
      },
    });
    expect(likes.status, JSON.stringify(likes.json)).toBe(200);
    expect(likes.json).toMatchObject({ accepted: 4, ratingsWritten: 0, likesWritten: 4 });

    const list = await call(`/users/${fan}/recommendations?limit=20`);
    expect(list.json.strategy).toBe('fold-in');
    const sources = list.json.items.map((m: { source: string }) => m.source);
    expect(sources[4]).toBe('cold-start');
    expect(sources[14]).toBe('cold-start');
    expect(sources.filter((s: string) => s === 'model')).toHaveLength(18);
    // Liked and rated movies are left out, and so is the disliked one.
    for (const id of [...HORROR, 1721]) expect(movieIds(list.json.items)).not.toContain(id);
    // The same as posting the ratings (with the times they were stored at, which the fold-in's
    // recency weight reads) with the likes as favourites and the dislike as a dislike.
    const ratedAt = await storedRatedAt(call, fan);
    const posted = await call('/recommendations', {
      body: {
        ratings: HORROR.slice(0, 2)
          .sort((a, b) => a - b)
          .map((movieId) => ({ movieId, rating: 5, timestamp: ratedAt.get(movieId) })),
        favorites: HORROR.slice(2).sort((a, b) => a - b),
        dislikes: [1721],
        limit: 20,
      },
    });
    expect(movieIds(list.json.items)).toEqual(movieIds(posted.json.items));

    // Stored: the user's page lists the ratings and the likes.
    const profile = await call(`/users/${fan}/ratings`);
    expect(profile.status).toBe(200);
    expect(profile.json.ratingCount).toBe(2);
    const liked = new Map<number, boolean>(
      profile.json.likes.map((l: { movieId: number; liked: boolean }): [number, boolean] => [
        l.movieId,
        l.liked,
      ]),
    );
    expect(liked).toEqual(
      new Map<number, boolean>([
        ...HORROR.slice(2).map((id): [number, boolean] => [id, true]),
        [1721, false],
      ]),
    );

    // Taking a like back (value 0) removes it; the list changes with it.
    const withdrawn = await call('/events', {
      body: { events: [{ userId: fan, movieId: HORROR[4], type: 'like', value: 0 }] },
    });
    expect(withdrawn.status).toBe(200);
    const after = await call(`/users/${fan}/ratings`);
    expect(movieIds(after.json.likes)).not.toContain(HORROR[4]);
    const changed = await call(`/users/${fan}/recommendations?limit=20`);
    expect(movieIds(changed.json.items)).not.toEqual(movieIds(list.json.items));
  });

  it('trends what several people viewed lately; popular movies fill the rest', async () => {
    const movieId = 6_016; // City of God (2002): rated, not in anyone's live feedback.
    const events = viewers.map((userId) => ({
      userId,
      movieId,
      type: 'view',
      eventId: `cold-start-test-${userId}`,
    }));
    expect((await call('/events', { body: { events } })).status).toBe(200);
    const trending = await call('/movies/trending?days=1&limit=30');
    expect(trending.status).toBe(200);
    const item = trending.json.items.find((m: { movieId: number }) => m.movieId === movieId);
    expect(item).toMatchObject({ source: 'trending' });
    expect(item.score).toBeGreaterThanOrEqual(viewers.length);
    const drama = await call('/movies/trending?days=1&limit=5&genre=Drama');
    for (const m of drama.json.items) expect(m.genres).toContain('Drama');
    const without = await call(`/movies/trending?days=1&limit=30&exclude=${movieId}`);
    expect(movieIds(without.json.items)).not.toContain(movieId);
  });
});
