import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';
import {
  describeIfBrowser,
  openBrowser,
  poll,
  screenshot,
  SCREENSHOTS,
} from '../support/browser.ts';

const KEY = 'web-diversity-test-key';
const describeWithBrowser = describeIfBrowser('web-diversity.test.ts');

/**
 * The console's diversity slider (Users view) in headless Chromium against `recsys serve` and a
 * real Cassandra: moving it asks the API for `diversity=0.7` and shows exactly the list the API
 * gives for it; back at 0 the request has no `diversity` and the list is the model's order again.
 */
describeWithBrowser('console diversity slider', () => {
  let data: ServingData;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[web-diversity] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
    ({ browser, page } = await openBrowser());
    page.on('request', (request) => {
      if (request.url().includes('/recommendations')) requests.push(request.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await data?.close();
  });

  const apiTitles = async (query: string) => {
    const reply = await fetch(`${server.url}/users/1/recommendations?${query}`, {
      headers: { 'x-api-key': KEY },
    });
    const body = (await reply.json()) as { items: { displayTitle: string }[] };
    return body.items.map((m) => m.displayTitle);
  };

  it('moving the slider re-ranks the user’s list with the dial, and 0 restores it', async () => {
    await page.goto(server.url);
    await page.getByTestId('api-key').fill(KEY);
    await page.getByTestId('save-key').click();
    await page.getByTestId('search').waitFor();
    await page.goto(`${server.url}/#/user/1`);
    const list = page.getByTestId('user-recommendations').locator('li.movie .movie-title');
    await poll(() => list.count()).toBe(20);
    const plain = await list.allTextContents();
    expect(plain).toEqual(await apiTitles('limit=20&excludeRated=true'));
    expect(requests.at(-1)).not.toMatch(/diversity/);

    await page.getByTestId('diversity').fill('0.7');
    await poll(() => page.getByTestId('diversity-value').textContent()).toBe('0.7');
    await poll(() => page.getByTestId('strategy').textContent()).toMatch(/diversity 0\.7/);
    expect(requests.at(-1)).toMatch(/[?&]diversity=0\.7(&|$)/);
    const diverse = await list.allTextContents();
    expect(diverse).toEqual(await apiTitles('limit=20&excludeRated=true&diversity=0.7'));
    expect(diverse).not.toEqual(plain);
    expect(diverse[0]).toBe(plain[0]); // MMR always keeps the best-scored movie first
    await screenshot(page, '10-user-diversity');

    await page.getByTestId('diversity').fill('0');
    await poll(() => page.getByTestId('strategy').textContent()).not.toMatch(/diversity/);
    expect(requests.at(-1)).not.toMatch(/diversity/);
    expect(await list.allTextContents()).toEqual(plain);
  });

  it('the Users view with its slider fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/#/user/1`);
    await poll(() => page.getByTestId('user-recommendations').locator('li.movie').count()).toBe(20);
    await page.getByTestId('diversity').waitFor();
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, '11-phone-user-diversity.png') });
  });
});
