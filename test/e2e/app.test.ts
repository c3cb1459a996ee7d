/**
 * The built renderer in Debian's Chromium, against the headless server the
 * CLI starts: every page, a setting changed, kept across a reload and a
 * restart. Without Chromium this file is skipped loudly; under CI=true a
 * missing Chromium fails.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { type Served, serve } from '../support/spawn';

const PAGES = [
  { link: 'Dashboard', path: '/', heading: 'Dashboard', built: true },
  { link: 'Customers', path: '/customers', heading: 'Customers', built: true },
  { link: 'Merge review', path: '/merge-review', heading: 'Merge review', built: true },
  { link: 'Import', path: '/import', heading: 'Import', built: true },
  { link: 'Models', path: '/models', heading: 'Models', built: true },
  { link: 'Automations', path: '/automations', heading: 'Automations', built: true },
  { link: 'Journeys', path: '/journeys', heading: 'Journeys', built: true },
  { link: 'Settings', path: '/settings', heading: 'Settings', built: true },
];

describe.skipIf(skipBrowser)('ConstIntel in Chromium', () => {
  let browser: Browser;
  let server: Served | undefined;
  const data = tempDir('constintel-e2e-');
  const problems: string[] = [];

  const start = () => serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0']);
  const open = async (url: string): Promise<Page> => {
    const context = await browser.newContext();
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(url);
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    server = await start();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('opens from the printed link and navigates every page', async () => {
    const page = await open(server?.launchUrl ?? '');
    const origin = new URL(server?.launchUrl ?? '').origin;
    await expect.poll(() => page.url()).toBe(`${origin}/`);
    await page.getByText('Welcome, My shop.').waitFor();
    expect(await page.getByTestId('ingest-url').textContent()).toBe(server?.ingestUrl);

    for (const target of PAGES) {
      await page.getByRole('navigation').getByRole('link', { name: target.link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: target.heading }).waitFor();
      expect(new URL(page.url()).pathname).toBe(target.path);
      expect(await page.getByTestId('not-built').count()).toBe(target.built ? 0 : 1);
    }

    // A deep link is a real route, not only a click inside the app.
    await page.goto(`${origin}/merge-review`);
    await page.getByRole('heading', { level: 1, name: 'Merge review' }).waitFor();
    await page.getByText('Nothing to review.').waitFor();
    await page.goto(`${origin}/no-such-page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await page.context().close();
    expect(problems).toEqual([]);
  });

  it('changes a setting, shows a bad value next to its field, and keeps the change across reload and restart', async () => {
    const page = await open(server?.launchUrl ?? '');
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Shop name').fill('Hilltop Deli');
    await page.getByLabel('Country for phone numbers').selectOption('DE');
    await page.getByLabel('Time zone').selectOption('America/New_York');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // Scheduled work, by the shop's clock: the nightly retrain is off until ticked, the sweep runs every minute.
    const jobs = page.getByTestId('scheduled-jobs');
    await page.getByText("by the shop's clock (America/New_York)").waitFor();
    await jobs.locator('tr[data-job="models.retrain"] td').last().filter({ hasText: 'Off' }).waitFor();
    await jobs.locator('tr[data-job="checkouts.sweep"]').filter({ hasText: 'every minute' }).waitFor();

    await page.getByLabel('App port').fill('80');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('App port must be between 1024 and 65535').waitFor();
    expect(await page.getByLabel('App port').getAttribute('aria-invalid')).toBe('true');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expect.poll(() => page.getByLabel('Shop name').inputValue()).toBe('Hilltop Deli');
    expect(await page.getByLabel('Country for phone numbers').inputValue()).toBe('DE');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('America/New_York');
    expect(await page.getByLabel('App port').inputValue()).toBe('4310');
    await page.context().close();

    expect(await server?.stop()).toBe(0);
    server = await start();
    const again = await open(`${server.launchUrl}`);
    await again.getByText('Welcome, Hilltop Deli.').waitFor();
    await again.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => again.getByLabel('Shop name').inputValue()).toBe('Hilltop Deli');
    await again.context().close();
    expect(problems).toEqual([]);
  });

  it('tells a visitor without the access link how to get in', async () => {
    const page = await open(new URL(server?.launchUrl ?? '').origin);
    await page.getByRole('alert').filter({ hasText: 'Open ConstIntel with the link it printed' }).waitFor();
    await page.context().close();
  });
});
