/**
 * The Dashboard in Chromium, on a served app: an empty shop sees the first-run guide and is asked its country; after importing 14 months of
 * sales and retraining, the sales chart renders with data (bars for revenue), the tiles show this period's figures as
 * `dashboard.summary` gives them, the table view holds every period, the 20 customers to contact first are listed in
 * the summary's order and link to their Customer 360 — at 1280×720 and 1024×768 with no sideways scroll and no
 * axe-core violations.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardView } from '../../shared/contract/dashboard';
import {
  axeSource,
  axeViolations,
  CLOCK_START,
  cornerShop,
  importHistory,
  noSidewaysScroll,
  shot,
} from '../support/automation-e2e';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { type SmtpPeer, smtpPeer } from '../support/provider-fakes';
import { rpcOf, type Served, serve } from '../support/spawn';

describe.skipIf(skipBrowser)('the Dashboard in Chromium', () => {
  const empty = tempDir('constintel-e2e-dashboard-empty-');
  const data = tempDir('constintel-e2e-dashboard-');
  let browser: Browser;
  let server: Served;
  let smtp: SmtpPeer;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    smtp = await smtpPeer();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    empty.remove();
    data.remove();
  });

  const open = async (url: string, width = 1280, height = 720): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width, height },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(url);
    return page;
  };

  it('an empty shop sees the first-run guide', async () => {
    const bare = await serve(['serve', '--data-dir', empty.path, '--port', '0', '--ingest-port', '0'], {
      CONSTINTEL_CLOCK_START: CLOCK_START,
    });
    try {
      const page = await open(bare.launchUrl);
      const guide = page.getByTestId('first-run');
      await guide.waitFor();
      for (const link of ['Settings', 'Import', 'Connections'])
        expect(await guide.getByRole('link', { name: link, exact: true }).count()).toBe(1);
      expect(await page.getByTestId('dashboard-sales').count()).toBe(0);
      // The first-run question: the shop's country, saved for reading phone numbers.
      await guide.getByLabel(/Where is your shop\?/).selectOption('GB');
      await guide.getByRole('button', { name: 'Save' }).click();
      expect(await page.getByTestId('first-run-country-saved').textContent()).toContain('United Kingdom');
      const settings = await rpcOf(bare.launchUrl)<{ defaultCountry: string }>('settings.get', {});
      expect(settings.defaultCountry).toBe('GB');
      expect(await axeViolations(page, axeSource())).toEqual([]);
      await shot(page, 'dashboard-empty');
      await page.context().close();
    } finally {
      await bare.stop();
    }
    expect(problems).toEqual([]);
  }, 90_000);

  it('shows the sales, whom to contact first (linking to their 360) and fits 1280 and 1024 px', async () => {
    importHistory(data.path, 53);
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0'], {
      CONSTINTEL_CLOCK_START: CLOCK_START,
    });
    const rpc = rpcOf(server.launchUrl);
    await cornerShop(rpc, smtp.port);
    const summary = await rpc<DashboardView>('dashboard.summary', {});
    expect(summary.hasData).toBe(true);
    expect(summary.contactFirst).toHaveLength(20);

    const page = await open(server.launchUrl);
    const sales = page.getByTestId('dashboard-sales');
    await sales.waitFor();
    // The chart renders with data: a bar per period with revenue, by week and by month.
    await expect.poll(() => sales.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    await sales.getByRole('radio', { name: 'By month' }).check();
    const months = summary.months.filter((m) => m.figures.revenue > 0).length;
    await expect.poll(() => sales.locator('.recharts-bar-rectangle path').count()).toBeGreaterThanOrEqual(months);
    // The tiles: the last whole month, beside the same month last year.
    const tiles = page.getByTestId('sales-tiles');
    const lastMonth = summary.months.at(-2);
    expect(await tiles.getAttribute('aria-label')).toBe(`Last month: ${lastMonth?.label}`);
    expect(await tiles.textContent()).toContain(String(lastMonth?.figures.orders));
    const current = summary.months.at(-1);
    // The table view: every month, newest first.
    await sales.getByText('Show the figures as a table').click();
    const rows = page.getByTestId('sales-table').locator('tbody tr');
    expect(await rows.count()).toBe(summary.months.length);
    expect(await rows.first().locator('th').textContent()).toContain(current?.label);

    // The 20 to contact first, in the summary's order, each linking to their Customer 360.
    const list = page.getByTestId('contact-first');
    const links = list.locator('tbody tr th a');
    expect(await links.count()).toBe(20);
    for (let i = 0; i < 20; i++)
      expect(await links.nth(i).getAttribute('href')).toBe(`/customers/${summary.contactFirst[i]?.profileId}`);
    expect(await page.getByTestId('value-at-risk').textContent()).toContain(
      `${summary.valueAtRisk.customers} customers at high churn risk`,
    );
    await noSidewaysScroll(page);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await shot(page, 'dashboard-1280');
    await page.setViewportSize({ width: 1024, height: 768 });
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await shot(page, 'dashboard-1024');
    await shot(page, 'dashboard-risk', page.getByTestId('dashboard-risk'));
    await shot(page, 'dashboard-glance', page.getByTestId('dashboard-glance'));

    const first = summary.contactFirst[0];
    await links.first().click();
    await page.waitForURL(`**/customers/${first?.profileId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(first?.name.split(' ')[0]);
    await page.context().close();
    expect(problems).toEqual([]);
  }, 180_000);
});
