/**
 * The train state machine end to end on a real Cassandra and a real S3 endpoint: the distributed
 * run (any block count, any Map concurrency, retried blocks, a resumed run) must give factors
 * bit-identical to in-process trainAls, and a failed run must leave the serving model alone.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Store } from '../../lambdas/adapters/s3.ts';
import type { AlsOptions } from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import {
  activeModelId,
  getModelRecord,
  modelPrefix,
  readRankedList,
} from '../../lambdas/services/models/registry.ts';
import { ModelRaters } from '../../lambdas/services/models/raters-index.ts';
import {
  LocalStateMachineError,
  type LocalSfnEvent,
} from '../../scripts/runtime/local-sfn/index.ts';
import { insertRatings } from '../../scripts/runtime/train/insert-ratings.ts';
import { runLocalTrainOrSkip } from '../../scripts/runtime/train/run-local-train.ts';
import { deleteRating, writeRatings } from '../../lambdas/services/api/feedback-store.ts';
import { RatingsTableBuilder, selectRows, type RatingsTable } from '../../lambdas/core/ratings.ts';
import { WARM_START_DEFAULTS } from '../../lambdas/core/train/train-request.ts';
import { freshStore } from '../support/cassandra.ts';
import {
  differences,
  cleanUpTraining,
  faultDir,
  inProcessReference,
  publishedBundle,
  publishedModel,
  TRAIN_BUCKET,
  trainBucket,
  trainLocally,
} from '../support/train-fixture.ts';
import { buildRatingMatrices } from '../../lambdas/core/matrix/csr.ts';
import type { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { fitNeighbours } from '../../lambdas/core/neighbours/ease.ts';
import { resolveNeighbourSettings } from '../../lambdas/core/neighbours/options.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { tuneRecommender } from '../../lambdas/core/recommender/tune.ts';
import {
  fitContentForRanking,
  type MovieContent,
} from '../../lambdas/core/content/content-model.ts';

/** Each movie's raters, ascending: what the raters index must hold. */
function ratersOf(table: RatingsTable): Map<number, number[]> {
  const out = new Map<number, Set<number>>();
  for (let k = 0; k < table.length; k++) {
    const movieId = table.movieIds[k]!;
    if (!out.has(movieId)) out.set(movieId, new Set());
    out.get(movieId)!.add(table.userIds[k]!);
  }
  return new Map([...out].map(([movieId, users]) => [movieId, [...users].sort((a, b) => a - b)]));
}

/** Ratings per movie of the id map, over the whole table (what the run's support counts). */
function supportOf(table: RatingsTable, items: IdMap): Int32Array {
  const out = new Int32Array(items.size);
  for (const movieId of table.movieIds) out[items.indexOf(movieId)]!++;
  return out;
}

// Small enough for seconds per run; heavy users and popular movies still span several kernel chunks.
const { table } = generateRatingsTable({ ratings: 5_000, users: 90, movies: 260, seed: 7 });
const OPTIONS = { rank: 5, iterations: 3 } satisfies AlsOptions;
// The ranking model small too; two refit iterations over every rating after the fit.
const RANKING = { rank: 6 } as const;
const REFIT = 2;
const MODELS = { ranking: RANKING, refitIterations: REFIT, neighbours: { maxItems: 60 } } as const;
const reference = inProcessReference(table, OPTIONS, { refitIterations: REFIT, ranking: RANKING });
/** The catalogue Publish fits the content model from: genres, a year and a tag per movie. */
const GENRES = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance'];
const contentOf = (movieId: number): MovieContent => ({
  genres: [GENRES[movieId % 5]!, ...(movieId % 7 === 0 ? ['Thriller'] : [])],
  year: 1950 + (movieId % 70),
  tags: movieId % 3 === 0 ? ['twist ending'] : [],
});

let db: Awaited<ReturnType<typeof freshStore>>;
let s3: S3Store;
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  db = await freshStore('train');
  await insertRatings(db, table);
  for (const movieId of new Set(table.movieIds)) {
    const { genres, year, tags } = contentOf(movieId);
    await db.execute(
      `INSERT INTO ${db.table('movies')} (movie_id, title, genres, year, top_tags) VALUES (?, ?, ?, ?, ?)`,
      [movieId, `Movie ${movieId}`, genres, year, tags],
    );
  }
  s3 = trainBucket();
});

afterAll(() => cleanUpTraining(s3, db));

describe('distributed training', () => {
  it.each([
    [1, 1],
    [1, 2],
    [4, 1],
    [4, 2],
    [7, 1],
    [7, 2],
  ])(
    'with %i blocks at concurrency %i equals in-process trainAls bit for bit',
    async (blocks, concurrency) => {
      const modelId = `det-${blocks}-${concurrency}-${run}`;
      const result = await trainLocally(db.keyspace, {
        request: { modelId, blocks, concurrency, rating: OPTIONS, ...MODELS, activate: false },
      });
      const bundle = await publishedBundle(s3, modelId);
      // Both ALS models: the rating model (explicit, Cholesky) and the ranking model (implicit,
      // CG with warm starts and the Gram matrix), fitted and then refitted on every rating.
      expect(differences(bundle.rating!, reference.model)).toEqual([]);
      expect(differences(bundle.ranking, reference.ranking)).toEqual([]);
      expect(result.rmse).toBe(reference.rmse);
      expect(result.iterations).toBe(OPTIONS.iterations + REFIT);
      expect(result.refitIterations).toBe(REFIT);
      expect(result.users).toBe(reference.model.userIds.size);
      // The neighbour model: per-block partial XᵀX summed, then solved once, equals the
      // in-process fit on every rating.
      const expected = fitNeighbours(
        buildRatingMatrices(table, {
          userIds: reference.model.userIds,
          itemIds: reference.model.itemIds,
        }),
        supportOf(table, reference.model.itemIds),
        resolveNeighbourSettings({ ...DEFAULT_RECOMMENDER_OPTIONS.neighbours, maxItems: 60 }),
      );
      expect(bundle.neighbours?.movieIds).toEqual(expected.movieIds);
      expect(
        Buffer.from(bundle.neighbours!.weights.buffer).equals(Buffer.from(expected.weights.buffer)),
      ).toBe(true);
      expect(bundle.blend).toBe(DEFAULT_RECOMMENDER_OPTIONS.blend);
      // The content model Publish fits from the movies table: the in-process fit on the same
      // factors and counts.
      expect(bundle.content).toEqual(
        fitContentForRanking(
          reference.ranking,
          supportOf(table, reference.ranking.itemIds),
          contentOf,
        ),
      );
      expect(bundle.content!.fittedOn).toBeGreaterThan(100);
      // The raters index Publish put under the model's prefix, one part per item block: each
      // movie's raters as the generated table has them, validation ratings included.
      const raters = new ModelRaters(s3, modelPrefix(modelId));
      for (const [movieId, users] of ratersOf(table)) {
        expect(Array.from((await raters.raters(movieId)) ?? []), `movie ${movieId}`).toEqual(users);
      }
      expect(await raters.raters(1_000_000)).toEqual(new Int32Array(0));
    },
  );

  it('publishes the fit itself without a validation split (nothing to refit)', async () => {
    const modelId = `novalidation-${run}`;
    const result = await trainLocally(db.keyspace, {
      request: {
        modelId,
        blocks: 3,
        concurrency: 2,
        rating: OPTIONS,
        ...MODELS,
        validation: 0,
        activate: false,
      },
    });
    const expected = inProcessReference(table, OPTIONS, { validation: 0, ranking: RANKING });
    const bundle = await publishedBundle(s3, modelId);
    expect(differences(bundle.rating!, expected.model)).toEqual([]);
    expect(differences(bundle.ranking, expected.ranking)).toEqual([]);
    expect([result.rmse, result.iterations, result.refitIterations]).toEqual([null, 3, 0]);
  });
});

describe('failures', () => {
  const first = `faulty-${run}`;
  const doomed = `doomed-${run}`;
  const request = { blocks: 4, concurrency: 2, rating: OPTIONS, ...MODELS };

  it('retries a block that fails once and still gets identical factors', async () => {
    const retried: LocalSfnEvent[] = [];
    const failed: LocalSfnEvent[] = [];
    const result = await trainLocally(db.keyspace, {
      request: { ...request, modelId: first },
      handlerEnv: { RECSYS_FAULT_ONCE: 'solve:item:1:2', RECSYS_FAULT_DIR: faultDir() },
      onEvent: (event) => {
        if (event.type === 'StateRetried') retried.push(event);
        if (event.type === 'StateFailed') failed.push(event);
      },
    });
    expect(retried.map((e) => e.stateName)).toEqual(['SolveItemBlock']);
    expect(failed.map((e) => [e.stateName, e.index, e.error])).toEqual([
      ['SolveItemBlock', 1, 'TransientError'],
    ]);
    expect(differences(await publishedModel(s3, first), reference.model)).toEqual([]);
    expect(result.rmse).toBe(reference.rmse);
    expect(result.activated).toBe(true);
    expect(await activeModelId(db)).toBe(first);
  });

  it('leaves the active model serving when a run fails for good', async () => {
    const user = table.userIds[0]!;
    const before = await readRankedList(db, 'recommendations', first, user, 50);
    expect(before.length).toBeGreaterThan(0);
    const failure = trainLocally(db.keyspace, {
      request: { ...request, modelId: doomed },
      handlerEnv: { RECSYS_FAULT_ALWAYS: 'solve:user:0:3' },
    });
    await expect(failure).rejects.toThrow(LocalStateMachineError);
    await expect(failure).rejects.toThrow(/InjectedFault/);
    expect(await activeModelId(db)).toBe(first);
    expect((await getModelRecord(db, doomed))?.status).toBe('failed');
    expect(await readRankedList(db, 'recommendations', first, user, 50)).toEqual(before);
  });

  it('resumes the failed run after its last complete iteration, with identical factors', async () => {
    const entered = new Set<string>();
    const result = await trainLocally(db.keyspace, {
      request: { modelId: doomed, resume: true, concurrency: 2 },
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.index === undefined)
          entered.add(event.stateName!);
      },
    });
    // Iterations 1 and 2 were checkpointed before the failure: only iteration 3 runs again,
    // then the refit.
    expect(entered.has('ScanTokenRanges')).toBe(false);
    expect(result.history.map((h) => h.iteration)).toEqual([1, 2, 3, 4, 5]);
    expect(result.history.map((h) => h.phase)).toEqual(['fit', 'fit', 'fit', 'refit', 'refit']);
    expect(differences(await publishedModel(s3, doomed), reference.model)).toEqual([]);
    expect(await activeModelId(db)).toBe(doomed);
    expect((await getModelRecord(db, doomed))?.status).toBe('ready');
  });
});

describe('tune mode', () => {
  it('picks the ranking point with the best NDCG@100 on validation users, as in process', async () => {
    const grid = { unobservedWeights: [0.05, 0.2], neighbourRegs: [100, 1000], blends: [0.3, 0.7] };
    const options = { iterations: 2 } satisfies AlsOptions;
    const neighbours = resolveNeighbourSettings({
      ...DEFAULT_RECOMMENDER_OPTIONS.neighbours,
      maxItems: 60,
    });
    const inProcess = tuneRecommender(table, {
      seed: 0,
      grid,
      base: {
        ...DEFAULT_RECOMMENDER_OPTIONS,
        als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, ...RANKING, iterations: 2 },
        neighbours,
      },
    });
    const best = inProcess.results[0]!;
    const modelId = `tuned-${run}`;
    const result = await trainLocally(db.keyspace, {
      request: {
        modelId,
        blocks: 3,
        concurrency: 2,
        rating: options,
        ...MODELS,
        tune: grid,
        activate: false,
      },
    });
    expect(result.tuned).toEqual({
      unobservedWeight: best.unobservedWeight,
      neighbourReg: best.neighbourReg,
      blend: best.blend,
      ndcg: best.validation['ndcg@100'],
    });
    const bundle = await publishedBundle(s3, modelId);
    expect(bundle.blend).toBe(best.blend);
    expect(bundle.neighbours?.settings.reg).toBe(best.neighbourReg);
    const expected = inProcessReference(table, options, {
      refitIterations: REFIT,
      ranking: { ...RANKING, unobservedWeight: best.unobservedWeight },
    });
    expect(differences(bundle.ranking, expected.ranking)).toEqual([]);
  });
});

describe('recsys models', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      ['bin/recsys.mjs', 'models', ...args, '--keyspace', db.keyspace],
      {
        cwd: join(import.meta.dirname, '../..'),
      },
    );

  it('lists the versions and rolls serving back to an older one, refusing failed ones', async () => {
    const listed = JSON.parse((await cli('list', '--json')).stdout) as {
      active: string;
      models: { modelId: string; status: string }[];
    };
    expect(listed.active).toBe(`doomed-${run}`);
    expect(listed.models.find((m) => m.modelId === `faulty-${run}`)?.status).toBe('ready');
    await cli('activate', `faulty-${run}`);
    expect(await activeModelId(db)).toBe(`faulty-${run}`);
    await expect(cli('activate', 'no-such-model')).rejects.toMatchObject({ code: 1 });
  });
});

describe('retraining (ifNewData, warmStart)', () => {
  const base = `base-${run}`;
  const warm = `warm-${run}`;
  const rating = { rank: OPTIONS.rank } satisfies AlsOptions;
  const models = { ranking: RANKING, neighbours: { maxItems: 60 } } as const;
  // What arrives through the API after the base model: a new user, a new movie, a deletion.
  const newUser = 100_000;
  const newMovie = 999_999;
  const added = [
    ...[table.movieIds[0]!, table.movieIds[1]!, table.movieIds[2]!, newMovie].map((movieId) => ({
      userId: newUser,
      movieId,
      rating: 4,
      ratedAt: 1_700_000_000,
    })),
    { userId: table.userIds[5]!, movieId: newMovie, rating: 5, ratedAt: 1_700_000_000 },
  ];
  const deleted = { userId: table.userIds[9]!, movieId: table.movieIds[9]! };

  /** The ratings after the API's writes: the deletion gone, the additions in. */
  function afterWrites(): RatingsTable {
    const keep = Array.from({ length: table.length }, (_, i) => i).filter(
      (i) => !(table.userIds[i] === deleted.userId && table.movieIds[i] === deleted.movieId),
    );
    const kept = selectRows(table, keep);
    const builder = new RatingsTableBuilder();
    for (let i = 0; i < kept.length; i++) {
      builder.push(kept.userIds[i]!, kept.movieIds[i]!, kept.ratings[i]!, kept.timestamps[i]!);
    }
    for (const r of added) builder.push(r.userId, r.movieId, r.rating, r.ratedAt);
    return builder.finish();
  }

  it('skips at Plan when no rating changed since the active model, writing nothing', async () => {
    await trainLocally(db.keyspace, {
      request: { modelId: base, blocks: 3, concurrency: 2, rating: OPTIONS, ...MODELS },
    });
    expect(await activeModelId(db)).toBe(base);
    const skipped = await runLocalTrainOrSkip({
      keyspace: db.keyspace,
      bucket: TRAIN_BUCKET,
      log: () => undefined,
      request: { modelId: `skip-${run}`, ifNewData: true, warmStart: true, rating },
    });
    expect(skipped).toMatchObject({ skipped: true, activeModelId: base, lastChangeAt: null });
    expect('skipped' in skipped && skipped.reason).toMatch(/^no new data: no rating changed/);
    expect(await getModelRecord(db, `skip-${run}`)).toBeUndefined();
  });

  it('trains after the API changed ratings, warm from the active model, bit-identical to in-process', async () => {
    const now = Date.now();
    await writeRatings(db, added, now);
    await deleteRating(db, deleted.userId, deleted.movieId, now);
    const result = await trainLocally(db.keyspace, {
      request: {
        modelId: warm,
        blocks: 4,
        concurrency: 2,
        rating,
        ...models,
        ifNewData: true,
        warmStart: true,
      },
    });
    // The warm defaults: fewer fit and refit iterations.
    expect(result.iterations).toBe(
      WARM_START_DEFAULTS.iterations + WARM_START_DEFAULTS.refitIterations,
    );
    expect(result.refitIterations).toBe(WARM_START_DEFAULTS.refitIterations);
    const from = await publishedBundle(s3, base);
    const users = from.ranking.userIds.size;
    const items = from.ranking.itemIds.size;
    expect(result.params.warmStart).toEqual({
      modelId: base,
      rating: { users: { kept: users, seeded: 1 }, items: { kept: items, seeded: 1 } },
      ranking: { users: { kept: users, seeded: 1 }, items: { kept: items, seeded: 1 } },
    });
    const expected = inProcessReference(
      afterWrites(),
      { ...rating, iterations: WARM_START_DEFAULTS.iterations },
      {
        refitIterations: WARM_START_DEFAULTS.refitIterations,
        ranking: RANKING,
        warmFrom: { rating: from.rating, ranking: from.ranking },
      },
    );
    const bundle = await publishedBundle(s3, warm);
    expect(differences(bundle.rating!, expected.model)).toEqual([]);
    expect(differences(bundle.ranking, expected.ranking)).toEqual([]);
    expect(result.rmse).toBe(expected.rmse);
    // And the start mattered: a cold run over the same ratings ends elsewhere.
    const cold = inProcessReference(
      afterWrites(),
      { ...rating, iterations: WARM_START_DEFAULTS.iterations },
      { refitIterations: WARM_START_DEFAULTS.refitIterations, ranking: RANKING },
    );
    expect(differences(bundle.ranking, cold.ranking)).toContain('itemFactors');
    expect(await activeModelId(db)).toBe(warm);
  });

  it('skips again once the warm model serves', async () => {
    const skipped = await runLocalTrainOrSkip({
      keyspace: db.keyspace,
      bucket: TRAIN_BUCKET,
      log: () => undefined,
      request: { ifNewData: true, warmStart: true, rating },
    });
    expect(skipped).toMatchObject({ skipped: true, activeModelId: warm });
  });
});
