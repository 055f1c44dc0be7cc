import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf } from '../../lambdas/core/feedback/keys.ts';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { readEvents } from '../../lambdas/services/api/feedback-store.ts';
import { freshStore } from '../support/cassandra.ts';
import { publishBundle, rankingOnlyBundle } from '../support/published-model.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { apiClient, HORROR, movieIds } from '../support/api-client.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';
import { storedRatedAt } from '../support/stored-rated-at.ts';

/**
 * The live-feedback loop end to end over HTTP against `recsys serve` and a real Cassandra: ratings
 * written at run time change the very next list (and survive a restart of the server), a retried
 * `POST /events` is stored once, every acknowledged write reads back, and `GET /metrics/online`
 * joins served lists with the feedback.
 */
const KEY = 'feedback-test-key-0123456789';

const MISERY = 3499;

describe('live feedback on ml-latest-small: writes change the next list', () => {
  let data: ServingData;
  let server: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  // A user id the data set does not have, new on every run (ids up to 2^31 − 1).
  const newUser = 2_100_000_000 + randomInt(40_000_000);
  // A user the model was trained on; their ratings are restored afterwards.
  const knownUser = 100;
  const written: [number, number][] = [];

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-feedback] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    // Leave the shared keyspace as the other serving tests expect it: no run-time ratings, no
    // change markers (the events and served lists stay; nothing reads them there).
    if (server) {
      for (const [userId, movieId] of written) {
        await call(`/users/${userId}/ratings/${movieId}`, { method: 'DELETE' });
      }
      await server.stop();
    }
    if (data) {
      const { db } = data.stores;
      for (const userId of [newUser, knownUser]) {
        await db.execute(`DELETE FROM ${db.table('user_rating_changes')} WHERE user_id = ?`, [
          userId,
        ]);
      }
      await data.close();
    }
  });

  const put = async (userId: number, movieId: number, rating: number) => {
    written.push([userId, movieId]);
    const reply = await call(`/users/${userId}/ratings/${movieId}`, {
      method: 'PUT',
      body: { rating },
    });
    expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    expect(reply.json).toMatchObject({ userId, movieId, rating, eventId: expect.any(String) });
    return reply;
  };

  it("a known user's list reacts to a rating at once, and returns when the change is undone", async () => {
    const before = await call(`/users/${knownUser}/recommendations`);
    expect(before.json.strategy).toBe('stored');
    expect(before.json.recommendationId).toMatch(/^r[0-9a-z]+-[0-9a-f]{16}$/);
    const top = before.json.items[0].movieId as number;
    await put(knownUser, top, 5);

    const after = await call(`/users/${knownUser}/recommendations`);
    expect(after.status).toBe(200);
    expect(after.json.strategy).toBe('fold-in');
    expect(after.json.reason).toMatch(/changed after the model/);
    expect(movieIds(after.json.items)).not.toContain(top);
    expect(movieIds(after.json.items)).not.toEqual(movieIds(before.json.items));
    for (const item of after.json.items) expect(typeof item.predictedRating).toBe('number');
    const rated = await call(`/users/${knownUser}/ratings?limit=1000`);
    expect(rated.json.items.find((m: { movieId: number }) => m.movieId === top)?.rating).toBe(5);

    expect((await call(`/users/${knownUser}/ratings/${top}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    const gone = await call(`/users/${knownUser}/ratings?limit=1000`);
    expect(movieIds(gone.json.items)).not.toContain(top);
    expect(gone.json.ratingCount).toBe(rated.json.ratingCount - 1);
    const { db } = data.stores;
    await db.execute(`DELETE FROM ${db.table('user_rating_changes')} WHERE user_id = ?`, [
      knownUser,
    ]);
    const restored = await call(`/users/${knownUser}/recommendations`);
    expect(restored.json.strategy).toBe('stored');
    expect(movieIds(restored.json.items)).toEqual(movieIds(before.json.items));
  });

  it('a brand-new user gets personal lists after a few ratings, and they survive a restart', async () => {
    const cold = await call(`/users/${newUser}/recommendations?limit=20`);
    expect(cold.json.strategy).toBe('popularity');

    for (const movieId of HORROR) await put(newUser, movieId, 5);
    const warm = await call(`/users/${newUser}/recommendations?limit=20`);
    expect(warm.json.strategy).toBe('fold-in');
    const items = warm.json.items as { movieId: number; genres: string[] }[];
    for (const id of HORROR) expect(movieIds(items)).not.toContain(id);
    const horror = items.filter((m) => m.genres.includes('Horror')).length / items.length;
    expect(horror).toBeGreaterThanOrEqual(0.3);
    // Exactly the fold-in of the same ratings posted as a profile (in the table's movie order),
    // with the times they were stored at (the recency weight reads them).
    const ratedAt = await storedRatedAt(call, newUser);
    const posted = await call('/recommendations', {
      body: {
        ratings: [...HORROR]
          .sort((a, b) => a - b)
          .map((movieId) => ({ movieId, rating: 5, timestamp: ratedAt.get(movieId) })),
        limit: 20,
      },
    });
    expect(movieIds(items)).toEqual(movieIds(posted.json.items));

    // A rating event counts like a PUT: the next list excludes it and reflects it.
    const event = await call('/events', {
      body: {
        events: [
          {
            userId: newUser,
            movieId: MISERY,
            type: 'rating',
            value: 4.5,
            recommendationId: warm.json.recommendationId,
          },
        ],
      },
    });
    expect(event.status, JSON.stringify(event.json)).toBe(200);
    expect(event.json).toMatchObject({ accepted: 1, ratingsWritten: 1 });
    written.push([newUser, MISERY]);
    const next = await call(`/users/${newUser}/recommendations?limit=20`);
    expect(next.json.strategy).toBe('fold-in');
    expect(movieIds(next.json.items)).not.toContain(MISERY);
    expect(movieIds(next.json.items)).not.toEqual(movieIds(items));
    const ratings = await call(`/users/${newUser}/ratings`);
    expect(ratings.json.ratingCount).toBe(6);

    // Stored, not held in the server: a fresh process answers the same list.
    await server.stop();
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
    const again = await call(`/users/${newUser}/recommendations?limit=20`);
    expect(again.json.strategy).toBe('fold-in');
    expect(movieIds(again.json.items)).toEqual(movieIds(next.json.items));

    // Filters apply to folded-in lists too.
    const filtered = await call(
      `/users/${newUser}/recommendations?limit=10&genre=Comedy,Drama&exclude=${movieIds(next.json.items).slice(0, 3).join(',')}`,
    );
    expect(filtered.json.strategy).toBe('fold-in');
    for (const movie of filtered.json.items) {
      expect(movie.genres.some((g: string) => g === 'Comedy' || g === 'Drama')).toBe(true);
      expect(movieIds(next.json.items).slice(0, 3)).not.toContain(movie.movieId);
    }

    // Deleting every rating leaves nothing to fold in: popular movies again.
    for (const movieId of [...HORROR, MISERY]) {
      expect(
        (await call(`/users/${newUser}/ratings/${movieId}`, { method: 'DELETE' })).status,
      ).toBe(200);
    }
    const emptied = await call(`/users/${newUser}/recommendations`);
    expect(emptied.json.strategy).toBe('popularity');
  });
});

describe('live feedback on a small model: idempotent events, nothing lost, online metrics', () => {
  let db: Awaited<ReturnType<typeof freshStore>>;
  let server: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  const modelId = `feedback-${Date.now().toString(36)}`;

  beforeAll(async () => {
    db = await freshStore('api_feedback');
    const genres = ['Drama', 'Drama', 'Drama', 'Comedy', 'Comedy', 'Comedy', 'Horror'];
    for (let movieId = 1; movieId <= 7; movieId++) {
      await db.execute(
        `INSERT INTO ${db.table('movies')} (movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?)`,
        [movieId, `Movie ${movieId} (2000)`, [genres[movieId - 1]!], movieId === 7 ? 2 : 30],
      );
    }
    // Two taste groups: users 1–20 watch movies 1–3, users 21–40 movies 4–6; movie 7 is rare.
    const table = new RatingsTableBuilder();
    for (let u = 1; u <= 40; u++) {
      for (let m = u <= 20 ? 1 : 4; m <= (u <= 20 ? 3 : 6); m++) {
        if ((u + m) % 4 !== 0) table.push(u, m, 5);
      }
      if (u % 10 === 0) table.push(u, 7, 4);
    }
    const options = {
      ...DEFAULT_RECOMMENDER_OPTIONS,
      als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank: 4, iterations: 5 },
    };
    const fitted = fitRecommender(table.finish(), options);
    await publishBundle(db, modelId, rankingOnlyBundle(fitted, options.policy));
    server = await startRecsysServe({ keyspace: db.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  const storedEvents = async (eventIds: readonly string[]) => {
    const today = dayOf(Date.now());
    const rows = await readEvents(db, [today - 1, today, today + 1]);
    return rows.filter((e) => eventIds.includes(e.eventId));
  };

  it('stores a retried batch once, with or without client ids', async () => {
    const now = Date.now();
    const batch = {
      events: [
        { userId: 501, movieId: 1, type: 'view', value: 0.5, eventId: 'retry-1', timestamp: now },
        { userId: 501, movieId: 2, type: 'rating', value: 4, eventId: 'retry-2' },
        { userId: 502, movieId: 3, type: 'dislike', eventId: 'retry-3' },
      ],
    };
    const first = await call('/events', { body: batch });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toEqual({
      accepted: 3,
      ratingsWritten: 1,
      // The dislike: a user_likes row (core/feedback/events.ts latestLikes).
      likesWritten: 1,
      eventIds: ['retry-1', 'retry-2', 'retry-3'],
    });
    const second = await call('/events', { body: batch });
    expect(second.json).toEqual(first.json);
    expect((await storedEvents(['retry-1', 'retry-2', 'retry-3'])).length).toBe(3);

    // Without ids the API assigns them; resending with those ids writes the same rows.
    const anonymous = {
      events: [
        { userId: 503, movieId: 4, type: 'like' },
        { userId: 503, movieId: 5, type: 'click' },
      ],
    };
    const assigned = await call('/events', { body: anonymous });
    const eventIds = assigned.json.eventIds as string[];
    expect(eventIds).toHaveLength(2);
    const resent = await call('/events', {
      body: { events: anonymous.events.map((e, i) => ({ ...e, eventId: eventIds[i] })) },
    });
    expect(resent.json.eventIds).toEqual(eventIds);
    const stored = await storedEvents(eventIds);
    expect(stored.map((e) => e.eventId).sort()).toEqual([...eventIds].sort());
    // The rating event wrote the ratings table too.
    const ratings = await call('/users/501/ratings');
    expect(
      ratings.json.items.map((m: { movieId: number; rating: number }) => [m.movieId, m.rating]),
    ).toEqual([[2, 4]]);
  });

  it('reads back every acknowledged write (80 concurrent PUTs and events)', async () => {
    const users = Array.from({ length: 20 }, (_, i) => 600 + i);
    const writes = users.flatMap((userId) =>
      [1, 2, 3, 4].map((movieId) => ({
        userId,
        movieId,
        rating: ((userId + movieId) % 10) / 2 + 0.5,
      })),
    );
    const replies = await Promise.all(
      writes.map((w, i) =>
        i % 2 === 0
          ? call(`/users/${w.userId}/ratings/${w.movieId}`, {
              method: 'PUT',
              body: { rating: w.rating },
            })
          : call('/events', {
              body: {
                events: [{ userId: w.userId, movieId: w.movieId, type: 'rating', value: w.rating }],
              },
            }),
      ),
    );
    const acknowledged = writes.filter((_, i) => replies[i]!.status === 200);
    expect(acknowledged).toHaveLength(writes.length);
    for (const userId of users) {
      const reply = await call(`/users/${userId}/ratings`);
      const stored = new Map(
        reply.json.items.map((m: { movieId: number; rating: number }) => [m.movieId, m.rating]),
      );
      for (const w of acknowledged.filter((a) => a.userId === userId)) {
        expect(stored.get(w.movieId), `${userId}/${w.movieId}`).toBe(w.rating);
      }
    }
  });

  it('joins served lists with later feedback per model version (GET /metrics/online)', async () => {
    const empty = await call('/metrics/online?days=1');
    expect(empty.status).toBe(200);
    const baseline = empty.json.models.find((m: { modelId: string }) => m.modelId === modelId);

    const a = await call('/users/1/recommendations?limit=2');
    const b = await call('/users/21/recommendations?limit=2');
    const c = await call('/recommendations', { body: { favorites: [1], limit: 2 } });
    for (const reply of [a, b, c]) {
      expect(reply.status).toBe(200);
      expect(reply.json.modelId).toBe(modelId);
      expect(reply.json.items).toHaveLength(2);
    }
    const [a0, a1] = movieIds(a.json.items);
    const [b0] = movieIds(b.json.items);
    const [c0] = movieIds(c.json.items);
    const events = {
      events: [
        // List a: a click naming it, then a 5-star rating of its other movie (a hit either way).
        {
          userId: 1,
          movieId: a0,
          type: 'click',
          recommendationId: a.json.recommendationId,
          eventId: 'm-1',
        },
        // List b: only an impression and a dislike: served, not a hit.
        {
          userId: 21,
          movieId: b0,
          type: 'impression',
          recommendationId: b.json.recommendationId,
          eventId: 'm-2',
        },
        { userId: 21, movieId: b0, type: 'dislike', eventId: 'm-3' },
        // List c (no user): a like naming it.
        {
          userId: 999,
          movieId: c0,
          type: 'like',
          recommendationId: c.json.recommendationId,
          eventId: 'm-4',
        },
      ],
    };
    expect((await call('/events', { body: events })).status).toBe(200);
    await call(`/users/1/ratings/${a1}`, { method: 'PUT', body: { rating: 5 } });
    // A retried batch changes nothing.
    expect((await call('/events', { body: events })).status).toBe(200);

    const metrics = await call('/metrics/online?days=1');
    expect(metrics.status).toBe(200);
    expect(metrics.json).toMatchObject({ days: 1, k: 10, sampleRate: 1, activeModelId: modelId });
    const model = metrics.json.models.find((m: { modelId: string }) => m.modelId === modelId);
    const before = baseline ?? { lists: 0, hits: 0, clickedLists: 0, clicks: 0, impressions: 0 };
    expect(model.lists - before.lists).toBe(3);
    expect(model.hits - before.hits).toBe(2);
    expect(model.clickedLists - before.clickedLists).toBe(1);
    expect(model.clicks - before.clicks).toBe(1);
    expect(model.impressions - before.impressions).toBe(1);
    expect(model.hitRate).toBeCloseTo(model.hits / model.lists, 3);
    expect(model.clickThrough).toBeCloseTo(model.clickedLists / model.lists, 3);
    expect(model.coverage).toBeGreaterThan(0);
    expect(model.coverage).toBeLessThanOrEqual(1);
  });
});
