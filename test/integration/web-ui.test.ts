import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';
import { describeIfBrowser, openBrowser, poll, screenshot } from '../support/browser.ts';

const KEY = 'web-ui-test-key';
/** "★ 4.3 predicted": the stars the bundle's rating model predicts, one decimal, within 0.5–5. */
const PREDICTED = /^★ (0\.[5-9]|[1-4]\.\d|5\.0) predicted$/;

const describeWithBrowser = describeIfBrowser('web-ui.test.ts');

describeWithBrowser('web UI in headless Chromium against recsys serve + real Cassandra', () => {
  let data: ServingData;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  /** What the "Me" step stored, removed afterwards from the shared keyspace. */
  let meUser: number | undefined;
  const meRated: number[] = [];

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[web-ui.test] ${line}`));
    server = await startRecsysServe({
      keyspace: data.keyspace,
      apiKey: KEY,
      // Cold-start exploration is opt-in; these tests exercise its slots.
      env: { RECSYS_COLD_START_SHARE: '0.1' },
    });
    ({ browser, page } = await openBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    if (server && meUser !== undefined) {
      for (const movieId of meRated) {
        await fetch(`${server.url}/users/${meUser}/ratings/${movieId}`, {
          method: 'DELETE',
          headers: { 'x-api-key': KEY },
        });
      }
    }
    await server?.stop();
    if (data && meUser !== undefined) {
      const { db } = data.stores;
      for (const table of ['user_likes', 'user_rating_changes']) {
        await db.execute(`DELETE FROM ${db.table(table)} WHERE user_id = ?`, [meUser]);
      }
    }
    await data?.close();
  });

  const shot = (name: string) => screenshot(page, name);

  it('asks for the API key, then searches, picks three favourites and shows fold-in recommendations', async () => {
    await page.goto(server.url);
    await page.getByTestId('api-key').waitFor();
    await page.getByTestId('api-key').fill('wrong');
    await page.getByTestId('save-key').click();
    await poll(() => page.locator('.error').textContent()).toMatch(/403/);
    await page.getByTestId('api-key').fill(KEY);
    await page.getByTestId('save-key').click();
    await page.getByTestId('search').waitFor();

    const favourites = ['shining', 'exorcist', 'halloween'];
    for (const query of favourites) {
      await page.getByTestId('search').fill(query);
      const first = page.getByTestId('search-results').locator('li.movie').first();
      await poll(() => first.locator('.movie-title').textContent()).toMatch(new RegExp(query, 'i'));
      await first.getByTestId('favorite').click();
    }
    await poll(() => page.getByTestId('profile').locator('li.chip').count()).toBe(3);
    const recommendations = page.getByTestId('recommendation-list').locator('li.movie');
    await poll(() => recommendations.count()).toBe(15);
    await poll(() => page.getByTestId('strategy').textContent()).toMatch(/fold-in/);
    const titles = await recommendations.locator('.movie-title').allTextContents();
    expect(titles.join(' | ')).not.toMatch(/The Shining|The Exorcist/);
    // The rating model's stars beside each recommendation.
    const stars = recommendations.getByTestId('predicted-rating');
    expect(await stars.count()).toBe(15);
    for (const text of await stars.allTextContents()) expect(text).toMatch(PREDICTED);
    await shot('01-discover-favourites');
  });

  it('opens a movie page with links and similar movies', async () => {
    await page.getByTestId('recommendation-list').locator('.movie-title').first().click();
    await page.getByTestId('movie-page').waitFor();
    expect(await page.getByTestId('imdb-link').getAttribute('href')).toMatch(
      /^https:\/\/www\.imdb\.com\/title\/tt\d+\/$/,
    );
    await poll(() => page.getByTestId('similar-list').locator('li.movie').count()).toBe(12);
    await shot('02-movie-page');
  });

  it('looks up a user’s recommendations and rated movies', async () => {
    await page.goto(`${server.url}/#/user/1`);
    await poll(() => page.getByTestId('user-recommendations').locator('li.movie').count()).toBe(20);
    const stars = page.getByTestId('user-recommendations').getByTestId('predicted-rating');
    expect(await stars.count()).toBe(20);
    for (const text of await stars.allTextContents()) expect(text).toMatch(PREDICTED);
    await poll(() => page.getByTestId('user-ratings').locator('li.movie').count()).toBe(100);
    // Rated movies show the user's own stars, not a prediction.
    expect(await page.getByTestId('user-ratings').getByTestId('predicted-rating').count()).toBe(0);
    await shot('03-user-lookup');
  });

  it('"Me": a new user rates and likes movies, watches the list change, and a reload keeps it all', async () => {
    await page.goto(`${server.url}/#/me`);
    await page.getByTestId('me-new-id').click();
    const who = page.getByTestId('me-user-id');
    await poll(() => who.textContent()).toMatch(/You are user \d+\./);
    meUser = Number(/(\d+)/.exec((await who.textContent()) ?? '')![1]);
    const list = page.getByTestId('me-recommendation-list').locator('li.movie');
    await poll(() => page.getByTestId('strategy').textContent()).toMatch(/popularity/);
    await poll(() => list.count()).toBe(10);
    const before = await list.locator('.movie-title').allTextContents();

    // Two ratings and a like, each through the write routes.
    const steps: [query: string, action: 'rate' | 'like', value?: string][] = [
      ['shining', 'rate', '5'],
      ['exorcist', 'like'],
      ['halloween', 'rate', '4.5'],
    ];
    for (const [query, action, value] of steps) {
      await page.getByTestId('me-search').fill(query);
      const first = page.getByTestId('me-results').locator('li.movie').first();
      await poll(() => first.locator('.movie-title').textContent()).toMatch(new RegExp(query, 'i'));
      const movieId = Number(await first.getAttribute('data-movie-id'));
      const saved = page.getByTestId('me-status');
      if (action === 'rate') {
        meRated.push(movieId);
        await first.getByTestId('me-rate').selectOption(value!);
      } else {
        await first.getByTestId('me-like').click();
      }
      await poll(() => saved.textContent()).toMatch(/^Saved /);
      await poll(() =>
        page.getByTestId('me-profile-list').locator(`li[data-movie-id="${movieId}"]`).count(),
      ).toBe(1);
    }
    // The list changed: folded in from what was just stored; the fifth place is a cold movie's.
    await poll(() => page.getByTestId('strategy').textContent()).toMatch(/fold-in/);
    await poll(() => list.locator('.movie-title').allTextContents()).not.toEqual(before);
    const after = await list.locator('.movie-title').allTextContents();
    expect(after.join(' | ')).not.toMatch(/The Shining|The Exorcist|^Halloween/);
    expect(
      await page.getByTestId('me-recommendation-list').getByTestId('source-cold-start').count(),
    ).toBe(1);
    await shot('05-me-after-rating');

    // Everything is stored: a reload (nothing kept in the page) shows the same profile and list.
    await page.reload();
    await poll(() => who.textContent()).toBe(`You are user ${meUser}.`);
    const profile = page.getByTestId('me-profile-list').locator('li.movie');
    await poll(() => profile.count()).toBe(3);
    const exorcist = profile.filter({ hasText: /Exorcist/ });
    expect(await exorcist.getByTestId('me-like').getAttribute('aria-pressed')).toBe('true');
    const shining = profile.filter({ hasText: /Shining/ });
    expect(await shining.getByTestId('me-rate').inputValue()).toBe('5');
    await poll(() => list.locator('.movie-title').allTextContents()).toEqual(after);
    await shot('06-me-after-reload');

    // "Not for me" on the top recommendation: it leaves the list at once and stays out after a
    // reload, shown pressed in the profile; pressing it there takes it back.
    const top = list.first();
    const topId = await top.getAttribute('data-movie-id');
    await top.getByTestId('me-not-for-me').click();
    await poll(() => page.getByTestId('me-status').textContent()).toMatch(/^Saved "not for me"/);
    await poll(() => list.first().getAttribute('data-movie-id')).not.toBe(topId);
    const ids = () => list.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-movie-id')));
    expect(await ids()).not.toContain(topId);
    await page.reload();
    await poll(() => profile.count()).toBe(4);
    const disliked = profile.and(page.locator(`[data-movie-id="${topId}"]`));
    expect(await disliked.getByTestId('me-not-for-me').getAttribute('aria-pressed')).toBe('true');
    await poll(() => list.count()).toBe(10);
    expect(await ids()).not.toContain(topId);
    await shot('06b-me-not-for-me');
    await disliked.getByTestId('me-not-for-me').click();
    await poll(() => profile.count()).toBe(3);
  });

  it('draws the analytics charts and the training curve', async () => {
    await page.goto(`${server.url}/#/analytics`);
    await page.getByTestId('analytics').waitFor();
    // Five exploratory charts of the old project, genres, star values and the training curve.
    await poll(() => page.getByTestId('chart').count()).toBeGreaterThanOrEqual(8);
    await poll(() => page.locator('h3', { hasText: /^Training: .* per iteration/ }).count()).toBe(
      1,
    );
    // Online evaluation: the lists this test run was served (the earlier steps) per model version.
    const online = page.getByTestId('online-metrics');
    await online.waitFor();
    expect(await online.locator('th').allTextContents()).toEqual([
      'model',
      'lists',
      'users',
      'hit rate@10',
      'click-through',
      'coverage',
    ]);
    expect(await online.locator('td', { hasText: data.modelId }).count()).toBe(1);
    await shot('04-analytics');
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('search').fill('toy story');
    await poll(() =>
      page.getByTestId('search-results').locator('li.movie').count(),
    ).toBeGreaterThan(0);
    // A string, evaluated in the page: the test itself is compiled without the DOM library.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('07-phone-discover');
  });
});
