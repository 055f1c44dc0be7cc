import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { armOf } from '../../lambdas/core/experiments/assignment.ts';
import { activeModelId } from '../../lambdas/services/models/registry.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { apiClient } from '../support/api-client.ts';
import { freshStore } from '../support/cassandra.ts';
import { publishTinyModels } from '../support/tiny-models.ts';
import { describeIfBrowser, openBrowser, poll, screenshot } from '../support/browser.ts';

/**
 * The console's Experiments page in headless Chromium against `recsys serve` and a real
 * Cassandra: an operator starts an experiment (a bad share is refused on screen with the API's
 * line), users are served and give feedback (this test's own ledger), the page's report shows
 * each arm's users, lists and hit users as the ledger counts them, and "Stop and promote" makes
 * the candidate the active model.
 */
const KEY = 'web-experiments-key';
const NAME = 'console-ab';
const describeWithBrowser = describeIfBrowser('web-experiments.test.ts');

describeWithBrowser('console Experiments page: report, start, stop and promote', () => {
  let db: Awaited<ReturnType<typeof freshStore>>;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  const call = apiClient(() => server.url, KEY);
  const stamp = Date.now().toString(36);
  const control = `web-control-${stamp}`;
  const candidate = `web-candidate-${stamp}`;

  beforeAll(async () => {
    db = await freshStore('web_experiments');
    await publishTinyModels(db, [
      { modelId: control, rank: 2, reg: 5 },
      { modelId: candidate, rank: 4, reg: 0.1 },
    ]);
    server = await startRecsysServe({
      keyspace: db.keyspace,
      apiKey: KEY,
      env: { RECSYS_MODEL_CHECK_SECONDS: '1' },
    });
    ({ browser, page } = await openBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
  });

  const shot = (name: string) => screenshot(page, name);

  it('starts an experiment from the page, refusing a bad share with the API’s line', async () => {
    await page.goto(server.url);
    await page.getByTestId('api-key').fill(KEY);
    await page.getByTestId('save-key').click();
    await page.getByTestId('search').waitFor(); // the key is checked, then Discover opens
    await page.goto(`${server.url}/#/experiments`);
    await poll(() => page.getByTestId('experiment-state').textContent()).toBe(
      'No experiment started yet.',
    );
    // Only the ready model that is not active can be the candidate.
    expect(await page.getByTestId('candidate-select').locator('option').allTextContents()).toEqual([
      candidate,
    ]);

    await page.getByTestId('share-input').fill('1');
    await page.getByTestId('start-experiment').click();
    await poll(() => page.getByTestId('experiment-message').textContent()).toMatch(/^400: .*share/);

    await page.getByTestId('share-input').fill('0.5');
    await page.getByTestId('name-input').fill(NAME);
    await page.getByTestId('start-experiment').click();
    await poll(() => page.getByTestId('experiment-state').textContent()).toMatch(
      new RegExp(
        `^${NAME} — running; control ${control}, candidate ${candidate} \\(50\\.0 % of users\\)`,
      ),
    );
    await expect(page.getByTestId('promote-experiment').textContent()).resolves.toBe(
      `Stop and promote ${candidate}`,
    );
  });

  it('shows each arm’s users, lists and hit users as the feedback ledger counts them', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // every container's model check
    const ledger = {
      control: { users: 0, hits: 0 },
      candidate: { users: 0, hits: 0 },
    };
    const events: Record<string, unknown>[] = [];
    for (let userId = 1; userId <= 60; userId++) {
      const reply = await call(`/users/${userId}/recommendations`);
      expect(reply.status).toBe(200);
      const arm = armOf(NAME, userId, 0.5);
      expect(reply.json.arm).toBe(arm);
      ledger[arm].users++;
      // Every third user clicks the first movie of the list: a hit (and a click).
      if (userId % 3 === 0) {
        events.push({
          userId,
          movieId: reply.json.items[0].movieId,
          type: 'click',
          recommendationId: reply.json.recommendationId,
        });
        ledger[arm].hits++;
      }
    }
    expect((await call('/events', { body: { events } })).status).toBe(200);

    await page.getByTestId('refresh-report').click();
    for (const arm of ['control', 'candidate'] as const) {
      const row = page.getByTestId('experiment-report').locator(`tr[data-arm="${arm}"]`);
      await poll(() => row.getByTestId('arm-users').textContent()).toBe(String(ledger[arm].users));
      expect(await row.getByTestId('arm-lists').textContent()).toBe(String(ledger[arm].users));
      expect(await row.getByTestId('arm-hit-rate').textContent()).toMatch(
        new RegExp(
          `^\\d+\\.\\d % \\[\\d+\\.\\d %, \\d+\\.\\d %\\] \\(${ledger[arm].hits}/${ledger[arm].users}\\)$`,
        ),
      );
      expect(await row.getByTestId('arm-click-through').textContent()).toContain(
        `(${ledger[arm].hits}/${ledger[arm].users})`,
      );
    }
    expect(await page.getByTestId('report-difference').textContent()).toMatch(
      /^Candidate − control: hit rate@10 [+-]\d+\.\d points \[[+-]\d+\.\d, [+-]\d+\.\d\]/,
    );
    expect(await page.getByTestId('significance').textContent()).toMatch(/significant/);
    await shot('experiments-running');
  });

  it('stops and promotes: the candidate becomes the active model', async () => {
    await page.getByTestId('promote-experiment').click();
    await poll(() => page.getByTestId('experiment-state').textContent()).toMatch(
      new RegExp(`^${NAME} — stopped .*, promoted ${candidate}`),
    );
    expect(await activeModelId(db)).toBe(candidate);
    // Stopped: the start form is back, now offering the old control as the candidate.
    expect(await page.getByTestId('candidate-select').locator('option').allTextContents()).toEqual([
      control,
    ]);
    await shot('experiments-promoted');
  });
});
