import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../support/serving-fixture.ts';
import { describeWithMlSmall, expectMlSmallPresent } from '../unit/support/movielens-small.ts';

const KEY = 'web-ui-test-key';
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
/** "★ 4.3 predicted": the stars the bundle's rating model predicts, one decimal, within 0.5–5. */
const PREDICTED = /^★ (0\.[5-9]|[1-4]\.\d|5\.0) predicted$/;
/** Debian's Chromium (`apt-get install chromium`); playwright's own browser downloads are not used. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Skipped on a developer machine without Chromium; in CI a missing browser fails the run. */
const describeWithBrowser =
  existsSync(CHROMIUM) || process.env.CI === 'true' ? describeWithMlSmall : describe.skip;

describeWithBrowser('web UI in headless Chromium against recsys serve + real Cassandra', () => {
  let data: ServingData;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    expectMlSmallPresent();
    mkdirSync(SCREENSHOTS, { recursive: true });
    data = await ensureServingData((line) => console.log(`[web-ui.test] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await data?.close();
  });

  /** The UI debounces and fetches; give it time on a busy two-core machine. */
  const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
  const shot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

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
    await shot('05-phone-discover');
  });
});
