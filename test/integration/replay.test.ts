import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { apiClient } from '../support/api-client.ts';
import { freshStore } from '../support/cassandra.ts';
import { recsys } from '../support/recsys-cli.ts';
import { publishTinyModels } from '../support/tiny-models.ts';

/**
 * `recsys evaluate --replay` on logs written by the real serving path: `recsys serve` serves
 * users who rated a few movies (fold-in lists, recorded in `served_lists`), the test sends
 * feedback from its own ledger, and the command replays the recorded lists against a real
 * Cassandra and S3. Replaying the model that served them must give exactly the ledger's hit rate
 * with every slot observed (the candidate IS the logging policy); replaying another model must
 * report the same logged rate beside its own estimate.
 */
const KEY = 'replay-test-key-0123456789';

describe('recsys evaluate --replay: recorded lists and feedback through the serving path', () => {
  let db: Awaited<ReturnType<typeof freshStore>>;
  let server: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  const stamp = Date.now().toString(36);
  const served = `replay-served-${stamp}`;
  const other = `replay-other-${stamp}`;
  const replay = (...args: string[]) =>
    recsys('evaluate', '--replay', ...args, '--keyspace', db.keyspace);

  beforeAll(async () => {
    db = await freshStore('replay');
    await publishTinyModels(db, [
      { modelId: served, rank: 4, reg: 0.1 },
      { modelId: other, rank: 2, reg: 5 },
    ]);
    server = await startRecsysServe({ keyspace: db.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('refuses bad input with one line', async () => {
    for (const [args, message] of [
      [['--model', served, '--days', '0'], '--days: expected a whole number of days from 1 to 30'],
      [['--model', served, '--days', 'week'], '--days: expected a whole number'],
      [['--days', '3'], '--model: expected a model id'],
      [['--model', 'no-such-model'], 'unknown model no-such-model'],
      [['--model', served, '--train', 'ratings.csv'], '--train does not apply to --replay'],
      [['--model', served], 'no recorded list in the last 7 day(s) can be replayed'],
    ] as const) {
      const result = await replay(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    const plain = await recsys('evaluate', '--days', '3');
    expect(plain.code).not.toBe(0);
    expect(plain.stderr.trim()).toBe('recsys: --days applies to --replay');
  });

  it('replays the serving model exactly and another model beside the same logged rate', async () => {
    // 60 users the models never saw rate three movies of one group, then ask for their list.
    interface Served {
      userId: number;
      recommendationId: string;
      items: number[];
    }
    const lists: Served[] = [];
    for (let i = 0; i < 60; i++) {
      const userId = 7000 + i;
      const first = i % 2 === 0 ? 1 : 16;
      for (const movieId of [first + (i % 5), first + 5 + (i % 5), first + 10 + (i % 5)]) {
        const put = await call(`/users/${userId}/ratings/${movieId}`, {
          method: 'PUT',
          body: { rating: 5 },
        });
        expect(put.status, JSON.stringify(put.json)).toBeLessThan(300);
      }
      const reply = await call(`/users/${userId}/recommendations?limit=10`);
      expect(reply.status).toBe(200);
      expect(reply.json.strategy).toBe('fold-in');
      expect(reply.json.modelId).toBe(served);
      lists.push({
        userId,
        recommendationId: reply.json.recommendationId,
        items: reply.json.items.map((m: { movieId: number }) => m.movieId),
      });
    }
    // Later feedback, a second on so that no rating shares the lists' second: every 3rd user
    // clicks their 4th movie (a hit), every 4th rates their 2nd five stars without naming the list
    // (a hit), every 5th rates their 1st two stars (not a hit).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const hitUsers = new Set<number>();
    const events: Record<string, unknown>[] = [];
    lists.forEach((list, i) => {
      if (i % 3 === 0) {
        events.push({
          userId: list.userId,
          movieId: list.items[3],
          type: 'click',
          recommendationId: list.recommendationId,
        });
        hitUsers.add(list.userId);
      }
      if (i % 4 === 0) {
        events.push({ userId: list.userId, movieId: list.items[1], type: 'rating', value: 5 });
        hitUsers.add(list.userId);
      }
      if (i % 5 === 0) {
        events.push({ userId: list.userId, movieId: list.items[0], type: 'rating', value: 2 });
      }
    });
    const posted = await call('/events', { body: { events } });
    expect(posted.status, JSON.stringify(posted.json)).toBe(200);
    const ledgerRate = hitUsers.size / lists.length; // one list per user: 30 of 60

    const self = await replay('--model', served, '--days', '1');
    expect(self.code, self.stderr).toBe(0);
    console.log(`[replay] evaluate --replay --model ${served}:\n${self.stderr}`);
    const selfReport = JSON.parse(self.stdout.trim().split('\n').at(-1)!);
    expect(selfReport).toMatchObject({ replay: true, modelId: served, days: 1, skippedLists: 0 });
    expect(selfReport.estimate.lists).toBe(60);
    expect(selfReport.estimate.users).toBe(60);
    // The candidate is the logging policy: each of its slots shows a movie the logged list showed.
    expect(selfReport.estimate.matchedShare).toBe(1);
    expect(selfReport.estimate.logged.value).toBeCloseTo(ledgerRate, 12);
    expect(selfReport.estimate.candidate.value).toBeCloseTo(ledgerRate, 12);
    expect(selfReport.estimate.difference.value).toBeCloseTo(0, 12);

    const otherRun = await replay('--model', other);
    expect(otherRun.code, otherRun.stderr).toBe(0);
    console.log(`[replay] evaluate --replay --model ${other}:\n${otherRun.stderr}`);
    const otherReport = JSON.parse(otherRun.stdout.trim().split('\n').at(-1)!);
    const { estimate } = otherReport;
    expect(otherReport).toMatchObject({ modelId: other, days: 7 });
    expect(estimate.lists).toBe(60);
    expect(estimate.logged.value).toBeCloseTo(ledgerRate, 12);
    expect(estimate.candidate.low).toBeLessThanOrEqual(estimate.candidate.value);
    expect(estimate.candidate.value).toBeLessThanOrEqual(estimate.candidate.high);
    expect(estimate.matchedShare).toBeGreaterThan(0);
    expect(otherRun.stderr).toMatch(/candidate hit rate@10 \d+\.\d %/);
  });
});
