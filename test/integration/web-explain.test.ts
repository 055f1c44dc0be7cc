import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { apiClient } from '../support/api-client.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';
import { describeIfBrowser, openBrowser, poll, screenshot } from '../support/browser.ts';

const KEY = 'web-explain-test-key';
const describeWithBrowser = describeIfBrowser('web-explain.test.ts');

interface Because {
  movieId: number;
  displayTitle: string;
}

/**
 * The console's "because you rated X, Y" in headless Chromium against `recsys serve` and the real
 * Cassandra: the Discover page (POST /recommendations, explain: true) and the Users page (a stored
 * list, GET …?explain=true) show, under each recommendation, the movies the API names as its
 * reasons, in the API's order.
 */
describeWithBrowser('console: because you rated … (headless Chromium)', () => {
  let data: ServingData;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  const call = apiClient(() => server.url, KEY);

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[web-explain] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
    ({ browser, page } = await openBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await data?.close();
  });

  const line = (because: Because[]) =>
    `because you rated ${because.map((b) => b.displayTitle).join(', ')}`;

  it('Discover: each fold-in recommendation says which favourites it comes from', async () => {
    await page.goto(server.url);
    await page.getByTestId('api-key').waitFor();
    await page.getByTestId('api-key').fill(KEY);
    await page.getByTestId('save-key').click();
    await page.getByTestId('search').waitFor();
    const picked: number[] = [];
    for (const query of ['shining', 'exorcist', 'toy story']) {
      await page.getByTestId('search').fill(query);
      const first = page.getByTestId('search-results').locator('li.movie').first();
      await poll(() => first.locator('.movie-title').textContent()).toMatch(new RegExp(query, 'i'));
      picked.push(Number(await first.getAttribute('data-movie-id')));
      await first.getByTestId('favorite').click();
    }
    const rows = page.getByTestId('recommendation-list').locator('li.movie');
    await poll(() => rows.count()).toBe(15);
    await poll(() => rows.getByTestId('because').count()).toBe(15);
    // The same profile through the API: the page shows its reasons, in its order.
    const api = await call('/recommendations', {
      body: { favorites: picked, ratings: [], limit: 15, explain: true },
    });
    const shown = await rows.getByTestId('because').allTextContents();
    expect(shown).toEqual(api.json.items.map((m: { because: Because[] }) => line(m.because)));
    // A Toy Story fan's Pixar and a horror fan's horror are explained by different favourites.
    expect(new Set(shown.map((s) => s.split(', ')[0])).size).toBeGreaterThan(1);
    await screenshot(page, 'explain-discover');
  });

  it('Users: a stored list shows reasons from the user’s own ratings', async () => {
    await page.goto(`${server.url}/#/user/1`);
    const list = page.getByTestId('user-recommendations');
    await poll(() => list.locator('li.movie').count()).toBe(20);
    await poll(() => list.getByTestId('because').count()).toBe(20);
    const api = await call('/users/1/recommendations?limit=20&excludeRated=true&explain=true');
    expect(api.json.strategy).toBe('stored');
    expect(await list.getByTestId('because').allTextContents()).toEqual(
      api.json.items.map((m: { because: Because[] }) => line(m.because)),
    );
    await screenshot(page, 'explain-user');
  });
});
