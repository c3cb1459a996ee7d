/**
 * Every page fits the shop's screen (issue 21, point 2), in Chromium against the headless server with a seeded sales
 * history imported and retrained through the CLI, a campaign sent by email through a real SMTP server (so Messages and
 * Campaigns have rows): at 1280×720 and 1024×768 no page scrolls sideways and axe-core finds no violation; at 1024 the
 * Customers table's segment, churn risk and predicted value are reached by scrolling the table's own box, which stays
 * inside the window; below 900 px the sidebar folds into a Menu button that opens and closes the links; "Skip to main
 * content" is the first thing Tab reaches and moves focus to the page; Customers' paging is a few Tabs away, before
 * the 50 rows.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../shared/contract/index';
import { axeSource, axeViolations, CLOCK_START, cornerShop, importHistory, nav, shot } from '../support/automation-e2e';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { type SmtpPeer, smtpPeer } from '../support/provider-fakes';
import { rpcOf, type Served, serve } from '../support/spawn';

type Rpc = ReturnType<typeof rpcOf>;

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
] as const;

/** The pages of the menu, each with something that shows its data has arrived. */
const NAV_PAGES: { name: string; loaded?: (page: Page) => Promise<unknown> }[] = [
  { name: 'Dashboard' },
  { name: 'Customers', loaded: (page) => page.locator('table.data tbody tr').first().waitFor() },
  { name: 'Messages', loaded: (page) => page.getByTestId('messages').locator('tbody tr').first().waitFor() },
  { name: 'Merge review' },
  { name: 'Import' },
  { name: 'Models', loaded: (page) => page.locator('table.data.segments').waitFor() },
  { name: 'Automations' },
  { name: 'Campaigns', loaded: (page) => page.getByTestId('campaigns').waitFor() },
  { name: 'Journeys' },
  { name: 'Settings' },
];

/** How far the page scrolls sideways (0 when it fits). */
const sideways = (page: Page) =>
  page.evaluate(() => ({
    beyondClient: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    beyondWindow: document.documentElement.scrollWidth - window.innerWidth,
  }));

describe.skipIf(skipBrowser)('Every page fits the shop’s screen', () => {
  const data = tempDir('constintel-e2e-layout-');
  let browser: Browser;
  let server: Served;
  let rpc: Rpc;
  let smtp: SmtpPeer;
  let axe = '';
  const problems: string[] = [];

  beforeAll(async () => {
    importHistory(data.path, 41);
    axe = axeSource();
    smtp = await smtpPeer();
    browser = await launchChromium();
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0'], {
      CONSTINTEL_CLOCK_START: CLOCK_START,
    });
    rpc = rpcOf(server.launchUrl);
    await cornerShop(rpc, smtp.port);
    // A campaign by email to customers who said yes, so Messages and Campaigns have rows.
    const { items } = await rpc<CommandOutput<'customers.search'>>('customers.search', { limit: 40 });
    for (const c of items.filter((c) => c.email !== null).slice(0, 20))
      await rpc('consent.set', { id: c.id, channel: 'email', state: 'yes' });
    const { template } = await rpc<CommandOutput<'templates.save'>>('templates.save', {
      template: {
        name: 'Spring tea (email)',
        channel: 'email',
        subject: 'Spring tea, {{first_name}}',
        body: 'Hello {{first_name}}, the spring teas are in at {{shop_name}}.',
      },
    });
    const campaign = await rpc<CommandOutput<'campaigns.save'>>('campaigns.save', {
      name: 'Spring tea offer',
      message: { channel: 'email', templateId: template.id },
      holdoutPercent: 0,
    });
    await rpc('campaigns.send', { id: campaign.id });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    data.remove();
  });

  const newPage = async (viewport: { width: number; height: number } = SIZES[0]): Promise<Page> => {
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await page.getByRole('heading', { level: 1 }).waitFor();
    return page;
  };

  /** At both sizes: what scrolls sideways and what axe-core finds, in words (empty when the page fits). */
  const misfits = async (page: Page, label: string): Promise<string[]> => {
    const found: string[] = [];
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const { beyondClient, beyondWindow } = await sideways(page);
      if (beyondClient > 0 || beyondWindow > 0)
        found.push(`${label} at ${size.width}: scrolls sideways by ${Math.max(beyondClient, beyondWindow)} px`);
      for (const v of await axeViolations(page, axe)) found.push(`${label} at ${size.width}: ${v}`);
    }
    await page.setViewportSize(SIZES[0]);
    return found;
  };

  it('no page scrolls sideways at 1280×720 or 1024×768, and axe-core finds no violation', async () => {
    const page = await newPage();
    const found: string[] = [];
    for (const { name, loaded } of NAV_PAGES) {
      await nav(page, name);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await loaded?.(page);
      await page.waitForLoadState('networkidle');
      found.push(...(await misfits(page, name)));
      await shot(page, `layout-${name.toLowerCase().replace(/ /g, '-')}`);
    }

    // A customer's 360, opened from the list.
    await nav(page, 'Customers');
    await page.locator('table.data tbody tr').first().getByRole('link').click();
    await page
      .getByRole('link', { name: /Customers/ })
      .first()
      .waitFor();
    await page.waitForLoadState('networkidle');
    found.push(...(await misfits(page, 'Customer 360')));
    await shot(page, 'layout-customer-360');

    // Settings → Connections and Message templates.
    for (const [label, path, heading] of [
      ['Connections', '/settings/connections', /Connections/],
      ['Templates', '/settings/templates', /templates/i],
    ] as const) {
      await page.goto(new URL(path, server.launchUrl).href);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      found.push(...(await misfits(page, label)));
      await shot(page, `layout-${label.toLowerCase()}`);
    }
    expect(found).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('at 1024 px the Customers table’s segment, churn risk and predicted value are in reach in its own box', async () => {
    const page = await newPage(SIZES[1]);
    await nav(page, 'Customers');
    const table = page.locator('table.data');
    await table.locator('tbody tr').first().waitFor();
    const box = page.getByRole('region', { name: 'Customers' });
    const inWindow = await box.evaluate((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, overflowX: getComputedStyle(e).overflowX };
    });
    expect(inWindow.left).toBeGreaterThanOrEqual(0);
    expect(inWindow.right).toBeLessThanOrEqual(SIZES[1].width);
    expect(['auto', 'scroll']).toContain(inWindow.overflowX);
    for (const column of ['Segment', 'Churn risk', 'Predicted value']) {
      const header = table.getByRole('columnheader', { name: column });
      await header.scrollIntoViewIfNeeded();
      const at = await header.boundingBox();
      expect(at, column).not.toBeNull();
      expect(at?.x ?? -1, column).toBeGreaterThanOrEqual(0);
      expect((at?.x ?? 0) + (at?.width ?? 0), column).toBeLessThanOrEqual(SIZES[1].width);
    }
    // The page itself never moved sideways: only the table's box did.
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
    expect((await sideways(page)).beyondClient).toBeLessThanOrEqual(0);
    await shot(page, 'layout-customers-scrolled', table);
    await page.context().close();
  }, 60_000);

  it('below 900 px the menu folds into a Menu button that opens and closes the links', async () => {
    const page = await newPage({ width: 800, height: 700 });
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    const customers = page.getByRole('navigation').getByRole('link', { name: 'Customers', exact: true });
    expect(await customers.isVisible()).toBe(false);
    // Folded, the page starts near the top: the bar is short.
    const top = await page.getByRole('main').boundingBox();
    expect(top?.y ?? 999).toBeLessThan(120);

    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await customers.waitFor();
    expect(await axeViolations(page, axe)).toEqual([]);
    if (process.env.CONSTINTEL_E2E_SHOTS)
      await page.screenshot({ path: `${process.env.CONSTINTEL_E2E_SHOTS}/layout-menu-open-800.png` });
    await customers.click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    await page.locator('table.data tbody tr').first().waitFor();
    // Choosing a page folds the menu again.
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await customers.isVisible()).toBe(false);
    expect((await sideways(page)).beyondClient).toBeLessThanOrEqual(0);
    expect(await axeViolations(page, axe)).toEqual([]);
    if (process.env.CONSTINTEL_E2E_SHOTS)
      await page.screenshot({ path: `${process.env.CONSTINTEL_E2E_SHOTS}/layout-customers-800.png` });

    // Escape folds it too, and gives focus back to the button.
    await menu.click();
    await customers.waitFor();
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await menu.evaluate((e) => e === document.activeElement)).toBe(true);

    // Wider again, the sidebar is back and the button is gone; narrow once more, the menu starts folded.
    await menu.click();
    await page.setViewportSize({ width: 1024, height: 768 });
    expect(await customers.isVisible()).toBe(true);
    expect(await menu.isVisible()).toBe(false);
    await page.setViewportSize({ width: 800, height: 700 });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await customers.isVisible()).toBe(false);
    await page.context().close();
  }, 60_000);

  it('“Skip to main content” is the first Tab stop and moves focus to the page', async () => {
    const page = await newPage();
    // Opened straight at the Customers page, as a bookmark or a reload does: the first Tab.
    await page.goto(new URL('/customers', server.launchUrl).href);
    await page.locator('table.data tbody tr').first().waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    expect(await skip.evaluate((e) => e === document.activeElement)).toBe(true);
    const at = await skip.boundingBox();
    expect(at?.y ?? -1).toBeGreaterThanOrEqual(0);
    if (process.env.CONSTINTEL_E2E_SHOTS)
      await page.screenshot({ path: `${process.env.CONSTINTEL_E2E_SHOTS}/layout-skip-link-1280.png` });
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN');

    // From there, Customers' paging comes before the 50 rows: a few Tabs.
    let presses = 0;
    let name = '';
    while (presses < 12 && name !== 'Next') {
      await page.keyboard.press('Tab');
      presses += 1;
      name = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    }
    expect(name).toBe('Next');
    expect(presses).toBeLessThanOrEqual(10);
    if (process.env.CONSTINTEL_E2E_SHOTS)
      await page.screenshot({ path: `${process.env.CONSTINTEL_E2E_SHOTS}/layout-focus-next-1280.png` });
    const showing = page.getByTestId('showing');
    await page.keyboard.press('Enter');
    await showing.filter({ hasText: /^Showing 51–/ }).waitFor();
    await page.context().close();
  }, 60_000);
});
