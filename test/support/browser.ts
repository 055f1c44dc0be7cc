import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';

/** Where the console tests leave their screenshots (docs use them). */
export const SCREENSHOTS = fileURLToPath(
  new URL('../../test-output/screenshots/', import.meta.url),
);
/** Debian's Chromium (`apt-get install chromium`); playwright's own browser downloads are not used. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `describe` for a test that drives the console in Chromium: skipped, with a warning naming the
 * fix, on a developer machine without Chromium; in CI a missing browser fails the run.
 */
export function describeIfBrowser(file: string) {
  const haveBrowser = existsSync(CHROMIUM) || process.env.CI === 'true';
  if (!haveBrowser) {
    console.warn(
      `${file} SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
    );
  }
  return haveBrowser ? describe : describe.skip;
}

/** Headless Chromium and a 1280×900 page whose errors are logged; the screenshot folder made. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page }> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  return { browser, page };
}

/** `expect.poll` for the console: it debounces and fetches, so 20 s (a busy two-core machine), every 100 ms. */
export const poll = <T>(fn: () => Promise<T>) =>
  expect.poll(fn, { timeout: 20_000, interval: 100 });

/** A full-page screenshot, `SCREENSHOTS/<name>.png`. */
export function screenshot(page: Page, name: string) {
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
