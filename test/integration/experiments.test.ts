import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armOf } from '../../lambdas/core/experiments/assignment.ts';
import { dayOf } from '../../lambdas/core/feedback/keys.ts';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { readServedLists } from '../../lambdas/services/api/feedback-store.ts';
import { activateModel, activeModelId } from '../../lambdas/services/models/registry.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { apiClient } from '../support/api-client.ts';
import { freshStore } from '../support/cassandra.ts';
import { recsys } from '../support/recsys-cli.ts';
import {
  rankingOnlyBundle,
  recordReadyModel,
  saveBundleFiles,
} from '../support/published-model.ts';

/**
 * An A/B experiment end to end against a real Cassandra, `recsys serve` and the `recsys
 * experiments` commands: users split by the stable hash, each list served by its arm's model and
 * recorded with its arm, the report's counts equal to the feedback this test sent (its own
 * ledger, not the code's), and `stop --promote` switching the active model.
 */
const KEY = 'experiments-test-key-0123456789';
const NAME = 'ab-test';

describe('experiments: split, serve, record, report, promote', () => {
  let db: Awaited<ReturnType<typeof freshStore>>;
  let server: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  const stamp = Date.now().toString(36);
  const control = `exp-control-${stamp}`;
  const candidate = `exp-candidate-${stamp}`;
  const cli = (...args: string[]) => recsys('experiments', ...args, '--keyspace', db.keyspace);

  beforeAll(async () => {
    db = await freshStore('experiments');
    for (let movieId = 1; movieId <= 12; movieId++) {
      await db.execute(
        `INSERT INTO ${db.table('movies')} (movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?)`,
        [movieId, `Movie ${movieId} (2000)`, ['Drama'], 30],
      );
    }
    // Two taste groups over twelve movies; the two models differ in rank.
    const table = new RatingsTableBuilder();
    for (let u = 1; u <= 40; u++) {
      for (let m = u <= 20 ? 1 : 7; m <= (u <= 20 ? 6 : 12); m++) {
        if ((u + m) % 3 !== 0) table.push(u, m, 5);
      }
    }
    const ratings = table.finish();
    for (const [modelId, rank] of [
      [control, 2],
      [candidate, 4],
    ] as const) {
      const options = {
        ...DEFAULT_RECOMMENDER_OPTIONS,
        als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank, iterations: 4 },
      };
      const fitted = fitRecommender(ratings, options);
      await saveBundleFiles(modelId, rankingOnlyBundle(fitted, options.policy));
      await recordReadyModel(db, modelId, { ranking: { rank } });
    }
    await activateModel(db, control);
    server = await startRecsysServe({ keyspace: db.keyspace, apiKey: KEY, modelCheckSeconds: 1 });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('refuses bad requests with one line', async () => {
    for (const [args, message] of [
      [['stop'], 'no experiment is running'],
      [['report'], 'no experiment has been started'],
      [['start', '--candidate', 'no-such-model'], 'unknown model no-such-model'],
      [['start', '--candidate', candidate, '--share', '1'], 'strictly between 0 and 1'],
      [['start', '--candidate', candidate, '--share', 'half'], 'expected a number'],
      [['start', '--candidate', control], `model ${control} is already the active model`],
      [['start', '--candidate', candidate, '--name', 'Bad Name'], 'experiment name must be'],
    ] as const) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
  });

  it('serves each arm by its model, records the arm, reports the logged truth, promotes', async () => {
    const started = await cli('start', '--candidate', candidate, '--share', '0.5', '--name', NAME);
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({
      name: NAME,
      controlModelId: control,
      candidateModelId: candidate,
      share: 0.5,
      stoppedAt: null,
    });
    const second = await cli('start', '--candidate', candidate, '--name', 'another');
    expect(second.stderr.trim()).toBe(`recsys: experiment ${NAME} is running; stop it first`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Known users (on-line lists) and users the models never saw (popular movies), twice each
    // for the first 30: the same arm every time.
    const users = [
      ...Array.from({ length: 40 }, (_, i) => i + 1),
      ...Array.from({ length: 160 }, (_, i) => 5000 + i),
    ];
    interface Served {
      userId: number;
      arm: string;
      recommendationId: string;
      items: number[];
    }
    const served: Served[] = [];
    const armOfUser = new Map<number, string>();
    for (const userId of [...users, ...users.slice(0, 30)]) {
      const reply = await call(`/users/${userId}/recommendations`);
      expect(reply.status).toBe(200);
      const { arm, experiment, modelId, recommendationId } = reply.json;
      expect(experiment).toBe(NAME);
      expect(arm).toBe(armOf(NAME, userId, 0.5));
      expect(modelId).toBe(arm === 'candidate' ? candidate : control);
      if (armOfUser.has(userId)) expect(arm).toBe(armOfUser.get(userId));
      armOfUser.set(userId, arm);
      served.push({
        userId,
        arm,
        recommendationId,
        items: reply.json.items.map((m: { movieId: number }) => m.movieId),
      });
    }
    // About half the users in each arm: within 4 standard errors (√(0.25/200) ≈ 0.035).
    const candidates = users.filter((u) => armOfUser.get(u) === 'candidate').length;
    expect(Math.abs(candidates / users.length - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 200));

    // Every list is recorded with its experiment, arm and model.
    const today = dayOf(Date.now());
    const recorded = new Map(
      (await readServedLists(db, [today - 1, today])).map((l) => [l.recommendationId, l]),
    );
    for (const list of served) {
      expect(recorded.get(list.recommendationId)).toMatchObject({
        experiment: NAME,
        arm: list.arm,
        userId: list.userId,
        modelId: list.arm === 'candidate' ? candidate : control,
        movieIds: list.items,
      });
    }

    // Feedback with this test's own ledger: every 3rd user clicks the first movie of their last
    // list (a click is a hit and a click); every 5th rates its second movie 5 stars without
    // naming the list (a hit); every 7th rates the first movie 2 stars (neither).
    const truth = {
      control: {
        users: new Set<number>(),
        lists: 0,
        hits: new Set<number>(),
        clicks: new Set<number>(),
      },
      candidate: {
        users: new Set<number>(),
        lists: 0,
        hits: new Set<number>(),
        clicks: new Set<number>(),
      },
    };
    for (const list of served) {
      const t = truth[list.arm as 'control' | 'candidate'];
      t.users.add(list.userId);
      t.lists++;
    }
    const lastList = new Map(served.map((l) => [l.userId, l]));
    const events: Record<string, unknown>[] = [];
    users.forEach((userId, i) => {
      const list = lastList.get(userId)!;
      const t = truth[list.arm as 'control' | 'candidate'];
      if (i % 3 === 0 && list.items.length > 0) {
        events.push({
          userId,
          movieId: list.items[0],
          type: 'click',
          recommendationId: list.recommendationId,
        });
        t.hits.add(userId);
        t.clicks.add(userId);
      }
      if (i % 5 === 0 && list.items.length > 1) {
        events.push({ userId, movieId: list.items[1], type: 'rating', value: 5 });
        t.hits.add(userId);
      }
      if (i % 7 === 0 && list.items.length > 0) {
        events.push({ userId, movieId: list.items[0], type: 'rating', value: 2 });
      }
    });
    for (let i = 0; i < events.length; i += 100) {
      const reply = await call('/events', { body: { events: events.slice(i, i + 100) } });
      expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    }

    const report = await cli('report', '--name', NAME, '--json');
    expect(report.code, report.stderr).toBe(0);
    const { report: body } = JSON.parse(report.stdout);
    for (const arm of body.arms) {
      const t = truth[arm.arm as 'control' | 'candidate'];
      expect(arm.modelId).toBe(arm.arm === 'candidate' ? candidate : control);
      expect(arm.users).toBe(t.users.size);
      expect(arm.lists).toBe(t.lists);
      expect(arm.hitRate).toMatchObject({ successes: t.hits.size, trials: t.users.size });
      expect(arm.clickThrough).toMatchObject({ successes: t.clicks.size, trials: t.users.size });
    }
    const text = await cli('report');
    console.log(`[experiments] recsys experiments report:\n${text.stdout}`);
    expect(text.stdout).toContain(`experiment ${NAME}`);
    expect(text.stdout).toMatch(/hit rate@10 +\d+\.\d %/);

    // Promote: the candidate becomes the active model, and serves everyone with no arm.
    const stopped = await cli('stop', '--promote');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ name: NAME, promotedModelId: candidate });
    expect(await activeModelId(db)).toBe(candidate);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const controlUser = users.find((u) => armOfUser.get(u) === 'control')!;
    const after = await call(`/users/${controlUser}/recommendations`);
    expect(after.json.modelId).toBe(candidate);
    expect(after.json.experiment).toBeUndefined();
    expect((await cli('stop')).stderr.trim()).toBe('recsys: no experiment is running');
  });

  it('the operator routes do the same, and refuse bad input with a 4xx JSON body', async () => {
    // After the promotion above, the candidate is active: the old control is the new candidate.
    expect(await activeModelId(db)).toBe(candidate);
    const refused = [
      [{ candidate: control, share: 1 }, 400, 'bad_request'],
      [{ candidate: 'no-such-model' }, 404, 'not_found'],
      [{ candidate }, 400, 'bad_request'],
      [{ candidate: control, name: NAME }, 409, 'conflict'],
    ] as const;
    for (const [body, status, code] of refused) {
      const reply = await call('/experiments', { body });
      expect(reply.status, JSON.stringify(reply.json)).toBe(status);
      expect(reply.json.error).toMatchObject({ status, code, message: expect.any(String) });
    }
    expect((await call('/experiments/stop', { body: {} })).status).toBe(404);

    const started = await call('/experiments', {
      body: { candidate: control, share: 0.3, name: 'api-test' },
    });
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    expect(started.json).toMatchObject({
      name: 'api-test',
      controlModelId: candidate,
      candidateModelId: control,
      share: 0.3,
    });
    expect((await call('/experiments', { body: { candidate: control } })).status).toBe(409);
    const listed = await call('/experiments');
    expect(listed.json.items.map((e: { name: string }) => e.name)).toEqual(['api-test', NAME]);
    const report = await call('/experiments/report');
    expect(report.status).toBe(200);
    expect(report.json.experiment.name).toBe('api-test');
    expect(report.json.report.arms.map((a: { users: number }) => a.users)).toEqual([0, 0]);
    expect((await call('/experiments/report?name=nope')).status).toBe(404);
    const stopped = await call('/experiments/stop', { body: { promote: false } });
    expect(stopped.json).toMatchObject({ name: 'api-test', promotedModelId: null });
    expect(await activeModelId(db)).toBe(candidate);
  });
});
