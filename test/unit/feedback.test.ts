import { describe, expect, it } from 'vitest';
import {
  EVENT_MAX_AGE_MS,
  isPositive,
  latestRatings,
  MAX_EVENTS_PER_REQUEST,
  parseEventsBody,
  parseRatingBody,
  type FeedbackEvent,
} from '../../lambdas/core/feedback/events.ts';
import {
  dayOf,
  FEEDBACK_SHARDS,
  hash32,
  inServedSample,
  lastDays,
  newRecommendationId,
  parseSampleRate,
  RECOMMENDATION_ID,
  shardOf,
} from '../../lambdas/core/feedback/keys.ts';
import { onlineMetrics, type ServedList } from '../../lambdas/core/feedback/online-metrics.ts';
import {
  liveWriteClock,
  liveWriteTime,
  MAX_RATING_TIMESTAMP_EXCLUSIVE,
  ratingWriteTime,
  writeTimeBase,
} from '../../lambdas/core/ingest/write-time.ts';
import { problemsOf } from '../support/invalid-input.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const context = { now: NOW, movieExists: (id: number) => id < 1000 };

describe('feedback keys', () => {
  it('puts an id on the same shard every time, spread over every shard', () => {
    expect(shardOf('event-1')).toBe(shardOf('event-1'));
    const used = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`e${i}`)));
    expect(used.size).toBe(FEEDBACK_SHARDS);
    expect(hash32('')).toBe(hash32(''));
    expect(hash32('a')).not.toBe(hash32('b'));
  });

  it('numbers UTC days and lists a window ending today', () => {
    expect(dayOf(0)).toBe(0);
    expect(dayOf(86_400_000 - 1)).toBe(0);
    expect(dayOf(86_400_000)).toBe(1);
    const today = dayOf(NOW);
    expect(lastDays(NOW, 3)).toEqual([today - 2, today - 1, today]);
  });

  it('recommendation ids carry their serve time', () => {
    const id = newRecommendationId(NOW, '0123456789abcdef');
    expect(id).toMatch(/^r[0-9a-z]+-0123456789abcdef$/);
    expect(RECOMMENDATION_ID.test(id)).toBe(true);
    // Between "r" and "-": the serve time in base-36 milliseconds.
    expect(parseInt(id.slice(1, id.indexOf('-')), 36)).toBe(NOW);
    expect(() => newRecommendationId(NOW, 'xyz')).toThrow(RangeError);
  });

  it('samples users, not lists: a user is in or out for all of their lists', () => {
    const rate = 0.25;
    let users = 0;
    for (let userId = 1; userId <= 10_000; userId++) {
      const a = inServedSample(rate, userId, newRecommendationId(NOW, '0000000000000001'));
      const b = inServedSample(rate, userId, newRecommendationId(NOW + 5, 'ffffffffffffffff'));
      expect(a).toBe(b);
      if (a) users++;
    }
    // Binomial(10,000, 0.25): σ ≈ 43.
    expect(users).toBeGreaterThan(2350);
    expect(users).toBeLessThan(2650);
    // Lists without a user are sampled by their own id.
    let anonymous = 0;
    for (let i = 0; i < 4000; i++) {
      const hex = i.toString(16).padStart(16, '0');
      if (inServedSample(rate, null, newRecommendationId(NOW, hex))) anonymous++;
    }
    expect(anonymous).toBeGreaterThan(850);
    expect(anonymous).toBeLessThan(1150);
    expect(inServedSample(1, 7, 'r1-0')).toBe(true);
    expect(inServedSample(0, 7, 'r1-0')).toBe(false);
  });

  it('reads the sample rate from the environment, refusing nonsense', () => {
    expect(parseSampleRate(undefined)).toBe(1);
    expect(parseSampleRate('')).toBe(1);
    expect(parseSampleRate('0.1')).toBe(0.1);
    expect(parseSampleRate('0')).toBe(0);
    for (const bad of ['-0.5', '1.5', 'half', 'NaN']) {
      expect(() => parseSampleRate(bad)).toThrow(/RECSYS_SERVED_LIST_SAMPLE/);
    }
  });
});

describe('run-time write times', () => {
  it('win over every rating of an ingestion that started before (or up to an hour after)', () => {
    const ingestStart = NOW - 3_600_000;
    const latestIngested = ratingWriteTime(
      writeTimeBase(ingestStart),
      MAX_RATING_TIMESTAMP_EXCLUSIVE - 1,
    );
    expect(liveWriteTime(NOW)).toBeGreaterThan(latestIngested);
    // Even an ingestion that starts an hour after the write stays below it.
    const later = ratingWriteTime(
      writeTimeBase(NOW + 3_600_000),
      MAX_RATING_TIMESTAMP_EXCLUSIVE - 1,
    );
    expect(liveWriteTime(NOW)).toBeGreaterThan(later);
    expect(liveWriteTime(NOW + 1)).toBeGreaterThan(liveWriteTime(NOW));
  });

  it('never repeat within a process, even within one millisecond or when the clock steps back', () => {
    const next = liveWriteClock();
    const times = [next(NOW), next(NOW), next(NOW), next(NOW - 5), next(NOW + 1)];
    expect(times).toEqual([
      NOW * 1000,
      NOW * 1000 + 1,
      NOW * 1000 + 2,
      NOW * 1000 + 3,
      (NOW + 1) * 1000,
    ]);
  });
});

describe('parseEventsBody', () => {
  const event = (fields: Record<string, unknown> = {}) => ({
    userId: 7,
    movieId: 1,
    type: 'like',
    ...fields,
  });

  it('accepts every type, resolves times and keeps ids', () => {
    const parsed = parseEventsBody(
      {
        events: [
          event({ type: 'rating', value: 4.5, eventId: 'client:1' }),
          event({ type: 'like' }),
          event({ type: 'dislike', timestamp: NOW - 60_000 }),
          event({ type: 'view', value: 0.8, timestamp: '2025-06-01T11:00:00Z' }),
          event({ type: 'click', recommendationId: newRecommendationId(NOW, 'a'.repeat(16)) }),
          event({ type: 'impression', value: null }),
        ],
      },
      context,
    );
    expect(parsed.map((e) => e.type)).toEqual([
      'rating',
      'like',
      'dislike',
      'view',
      'click',
      'impression',
    ]);
    expect(parsed[0]).toEqual({
      eventId: 'client:1',
      userId: 7,
      movieId: 1,
      type: 'rating',
      value: 4.5,
      at: NOW,
      recommendationId: null,
    });
    expect(parsed[1]!.eventId).toBeNull();
    expect(parsed[2]!.at).toBe(NOW - 60_000);
    expect(parsed[3]!.at).toBe(NOW - 3_600_000);
    expect(parsed[4]!.recommendationId).toMatch(/^r/);
    expect(parsed[5]!.value).toBeNull();
  });

  it('refuses the whole batch, naming each bad field by its path', () => {
    expect(
      problemsOf(() =>
        parseEventsBody(
          {
            events: [
              event(),
              event({ userId: 0 }),
              event({ movieId: 5000 }),
              event({ type: 'purchase' }),
              event({ type: 'rating' }),
              event({ type: 'rating', value: 4.25 }),
              event({ value: 'x' }),
              event({ timestamp: NOW - EVENT_MAX_AGE_MS - 1 }),
              event({ timestamp: 'yesterday' }),
              event({ recommendationId: 'made-up' }),
              event({ eventId: '' }),
              event({ eventId: 'dup' }),
              event({ eventId: 'dup' }),
              event({ extra: 1 }),
              'not an object',
            ],
          },
          context,
        ),
      ),
    ).toEqual([
      'events.1.userId',
      'events.2.movieId',
      'events.3.type',
      'events.4.value',
      'events.5.value',
      'events.6.value',
      'events.7.timestamp',
      'events.8.timestamp',
      'events.9.recommendationId',
      'events.10.eventId',
      'events.12.eventId',
      'events.13.extra',
      'events.14',
    ]);
  });

  it('needs a {events: [...]} object of 1 to 100 events', () => {
    expect(problemsOf(() => parseEventsBody([], context))).toEqual(['body']);
    expect(problemsOf(() => parseEventsBody(null, context))).toEqual(['body']);
    expect(problemsOf(() => parseEventsBody({}, context))).toEqual(['events']);
    expect(problemsOf(() => parseEventsBody({ events: [] }, context))).toEqual(['events']);
    const many = Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => event());
    expect(problemsOf(() => parseEventsBody({ events: many }, context))).toEqual(['events']);
    expect(
      parseEventsBody({ events: many.slice(0, MAX_EVENTS_PER_REQUEST) }, context),
    ).toHaveLength(MAX_EVENTS_PER_REQUEST);
    expect(problemsOf(() => parseEventsBody({ events: [event()], more: 1 }, context))).toEqual([
      'more',
    ]);
  });
});

describe('parseRatingBody', () => {
  it('takes {rating} on the half-star scale', () => {
    expect(parseRatingBody({ rating: 0.5 })).toBe(0.5);
    expect(parseRatingBody({ rating: 5 })).toBe(5);
    for (const body of [{}, { rating: 0 }, { rating: 5.5 }, { rating: 3.3 }, { rating: '4' }]) {
      expect(problemsOf(() => parseRatingBody(body))).toEqual(['rating']);
    }
    expect(problemsOf(() => parseRatingBody({ rating: 4, stars: 4 }))).toEqual(['stars']);
    expect(problemsOf(() => parseRatingBody('4'))).toEqual(['body']);
  });
});

describe('latestRatings', () => {
  const rating = (movieId: number, value: number, at: number): FeedbackEvent => ({
    eventId: `${movieId}-${at}`,
    userId: 1,
    movieId,
    type: 'rating',
    value,
    at,
    recommendationId: null,
  });

  it('keeps one rating per (user, movie): the latest, a later entry winning a tie', () => {
    const written = latestRatings([
      rating(1, 3, 2000),
      rating(1, 5, 1000),
      rating(2, 2, 1000),
      rating(2, 4, 1000),
      { ...rating(3, 4, 1000), type: 'like', value: null },
    ]);
    expect(written).toEqual([
      { userId: 1, movieId: 1, rating: 3, ratedAt: 2 },
      { userId: 1, movieId: 2, rating: 4, ratedAt: 1 },
    ]);
  });

  it('counts ratings ≥ 4, likes and clicks as positive', () => {
    expect(isPositive({ type: 'rating', value: 4 })).toBe(true);
    expect(isPositive({ type: 'rating', value: 3.5 })).toBe(false);
    expect(isPositive({ type: 'like', value: null })).toBe(true);
    expect(isPositive({ type: 'click', value: null })).toBe(true);
    for (const type of ['dislike', 'view', 'impression'] as const) {
      expect(isPositive({ type, value: 5 })).toBe(false);
    }
  });
});

describe('onlineMetrics: the join on a hand-built case', () => {
  const list = (
    recommendationId: string,
    modelId: string | null,
    userId: number | null,
    movieIds: number[],
    servedAt: number,
  ): ServedList => ({ recommendationId, modelId, userId, movieIds, servedAt });
  const ev = (
    eventId: string,
    userId: number,
    movieId: number,
    type: FeedbackEvent['type'],
    at: number,
    extra: Partial<FeedbackEvent> = {},
  ): FeedbackEvent => ({
    eventId,
    userId,
    movieId,
    type,
    value: null,
    at,
    recommendationId: null,
    ...extra,
  });

  const lists = [
    list('L1', 'model-a', 1, [10, 11, 12], 1000),
    list('L2', 'model-a', 2, [20, 21], 1000),
    list('L3', 'model-a', 1, [11, 13], 5000),
    list('L4', 'model-b', 3, [10, 30], 1000),
    list('L5', null, null, [40, 41], 1000),
    list('L1', 'model-a', 1, [10, 11, 12], 1000), // recorded twice: counts once
  ];
  const events = [
    // User 1 rates 11 five stars after both of their lists: a hit for L1 and L3.
    ev('e1', 1, 11, 'rating', 6000, { value: 5 }),
    // Not positive (3 stars), and a like from before the list was served.
    ev('e2', 2, 21, 'rating', 2000, { value: 3 }),
    ev('e3', 2, 20, 'like', 500),
    // A click naming L4, sent twice (a retried batch): one click, a hit (30 is in the top k).
    ev('e4', 3, 30, 'click', 2000, { recommendationId: 'L4' }),
    ev('e4', 3, 30, 'click', 2100, { recommendationId: 'L4' }),
    // A list without a user is reached only by events naming it, whatever their time.
    ev('e5', 9, 41, 'click', 900, { recommendationId: 'L5' }),
    // A click on L1's third movie: a clicked list, but past the top k = 2, so no hit by itself.
    ev('e6', 1, 12, 'click', 2000),
    // An impression naming L2.
    ev('e7', 2, 20, 'impression', 1500, { recommendationId: 'L2' }),
    // A like naming L2 of a movie L2 never showed: ignored.
    ev('e8', 2, 99, 'like', 1600, { recommendationId: 'L2' }),
    // A positive rating naming L4 does not count for user 1's own lists (it names another list).
    ev('e9', 1, 10, 'rating', 7000, { value: 5, recommendationId: 'L4' }),
  ];

  it('computes lists, users, hit rate@k, click-through and coverage per model version', () => {
    const metrics = onlineMetrics(lists, events, { k: 2, catalogueSize: 100 });
    // One list of two movies (of 100) served at 1000, clicked once on a hit, no impression.
    const oneClickedList = {
      lists: 1,
      hits: 1,
      hitRate: 1,
      clickedLists: 1,
      clickThrough: 1,
      clicks: 1,
      impressions: 0,
      coverage: 0.02,
      firstServedAt: 1000,
      lastServedAt: 1000,
    };
    expect(metrics).toEqual([
      {
        modelId: 'model-a',
        lists: 3,
        users: 2,
        hits: 2,
        hitRate: 0.6667,
        clickedLists: 1,
        clickThrough: 0.3333,
        clicks: 1,
        impressions: 1,
        coverage: 0.05, // {10, 11} ∪ {20, 21} ∪ {11, 13}
        firstServedAt: 1000,
        lastServedAt: 5000,
      },
      { modelId: 'model-b', users: 1, ...oneClickedList }, // L4, user 3, e4
      { modelId: 'none', users: 0, ...oneClickedList }, // L5, no user, e5
    ]);
  });

  it('with k = 10 the third movie of L1 counts, and nothing served gives nothing', () => {
    const wide = onlineMetrics(lists, [events[6]!], { k: 10, catalogueSize: 100 });
    expect(wide.find((m) => m.modelId === 'model-a')!.hits).toBe(1);
    expect(onlineMetrics([], events, { k: 10, catalogueSize: 100 })).toEqual([]);
  });
});
