/**
 * Identity in Chromium: events posted to the public event API become
 * customers; details shared between customers join them (automatically for
 * two or three, through Merge review for more); a merge can be undone from
 * the Customer 360 page; phone search reads numbers in the shop's country.
 * Without Chromium this file is skipped loudly; under CI=true a missing
 * Chromium fails.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { rpcOf, type Served, serve } from '../support/spawn';

const FLOW_TIMEOUT = 90_000;

interface Posted {
  eventId: number;
  profileId: number;
  duplicate: boolean;
}

interface EventBody {
  type: string;
  occurredAt: string;
  source?: string;
  externalId?: string;
  identifiers: Record<string, string>;
  payload?: Record<string, unknown>;
}

describe.skipIf(skipBrowser)('Identity in Chromium', () => {
  let browser: Browser;
  let server: Served;
  let origin: string;
  let apiKey: string;
  const data = tempDir('constintel-e2e-identity-');
  const problems: string[] = [];

  /** A command through the loopback RPC, as a script would call it. */
  const rpc = <T>(name: string, input: unknown = {}) => rpcOf(server.launchUrl)<T>(name, input);

  const postEvents = (events: EventBody | EventBody[], key = apiKey) =>
    fetch(`${server.ingestUrl.replace(/\/$/, '')}/api/v1/events`, {
      method: 'POST',
      headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify(events),
    });

  /** Posts events that must be accepted; answers one result per event, in order. */
  const send = async (...events: EventBody[]): Promise<Posted[]> => {
    const response = await postEvents(events.length === 1 ? (events[0] as EventBody) : events);
    const text = await response.text();
    expect(response.status, text).toBe(202);
    const body = JSON.parse(text) as { results: Posted[] };
    expect(body.results).toHaveLength(events.length);
    return body.results;
  };

  const open = async (url: string): Promise<Page> => {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    return page;
  };

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  /** Types into the Customers search box and waits for the list to answer for that text. */
  const search = async (page: Page, text: string) => {
    await page.getByRole('searchbox', { name: 'Search' }).fill(text);
    await expect.poll(() => new URL(page.url()).searchParams.get('q') ?? '').toBe(text.trim());
    await expect.poll(() => page.locator('table.data[aria-busy="true"]').count()).toBe(0);
  };
  const resultRows = (page: Page) =>
    page
      .getByRole('table')
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });

  beforeAll(async () => {
    browser = await launchChromium();
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0']);
    origin = new URL(server.launchUrl).origin;
    await rpc('settings.update', { defaultCountry: 'GB' });
    apiKey = (await rpc<{ apiKey: string }>('settings.apiKey')).apiKey;
    expect(apiKey.length).toBeGreaterThan(10);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('shows an empty Customers page and an empty Merge review before any event', async () => {
    const page = await open(server.launchUrl);
    await nav(page, 'Customers');
    await page.getByTestId('no-customers').waitFor();
    expect(await page.getByTestId('no-customers').textContent()).toContain('event API');
    await nav(page, 'Merge review');
    await page.getByText('Nothing to review.').waitFor();
    expect(await page.getByRole('navigation').getByRole('status').count()).toBe(0);
    await page.context().close();
    expect(problems).toEqual([]);
  });

  it('refuses events without the right key', async () => {
    const event: EventBody = {
      type: 'visit',
      occurredAt: '2026-03-01T09:00:00Z',
      identifiers: { email: 'x@example.com' },
    };
    expect((await postEvents(event, 'not-the-key')).status).toBe(401);
    const total = (await rpc<{ total: number }>('customers.search', { query: '' })).total;
    expect(total).toBe(0);
  });

  it(
    'joins two customers automatically when one event carries details of both, and shows it on one Customer 360 page',
    async () => {
      const [first] = await send({
        type: 'purchase',
        occurredAt: '2026-03-01T10:00:00Z',
        source: 'api',
        externalId: 'o-1',
        identifiers: { email: 'ann@example.com' },
        payload: { total: 42.5, currency: 'GBP', firstName: 'Ann', lastName: 'Lee', emailConsent: true },
      });
      const [second] = await send({
        type: 'visit',
        occurredAt: '2026-03-02T11:00:00Z',
        source: 'api',
        externalId: 'v-1',
        identifiers: { phone: '+44 7700 900123' },
        payload: { firstName: 'Ann' },
      });
      expect(first?.profileId).not.toBe(second?.profileId);

      const page = await open(server.launchUrl);
      await nav(page, 'Customers');
      await search(page, 'Ann');
      await expect.poll(() => resultRows(page).count()).toBe(2);

      const [third] = await send({
        type: 'purchase',
        occurredAt: '2026-03-03T12:00:00Z',
        source: 'api',
        externalId: 'o-2',
        identifiers: { email: 'ann@example.com', phone: '+44 7700 900123' },
        payload: { total: 10, currency: 'GBP' },
      });
      const survivor = third?.profileId ?? 0;
      const mergedAway = [first?.profileId, second?.profileId].find((id) => id !== survivor) ?? 0;
      expect([first?.profileId, second?.profileId]).toContain(survivor);

      await page.reload();
      await search(page, 'Ann');
      await expect.poll(() => resultRows(page).count()).toBe(1);
      await resultRows(page).getByRole('link', { name: 'Ann Lee' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/customers/${survivor}`);
      await page.getByRole('heading', { level: 1, name: 'Ann Lee' }).waitFor();

      // Money is shown in the shop's currency, as customers.get reports it.
      const found = await rpc<{ status: string; customer: { currency: string; lifetimeValue: number } }>(
        'customers.get',
        {
          id: survivor,
        },
      );
      expect(found.customer.lifetimeValue).toBe(52.5);
      const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: found.customer.currency }).format(
        52.5,
      );
      expect(await page.getByTestId('lifetime-value').textContent()).toBe(money);
      expect(await page.getByTestId('orders').textContent()).toBe('2');
      const identifiers = page.getByRole('table', { name: 'How we recognise them' });
      await identifiers.getByRole('row').filter({ hasText: 'Email' }).filter({ hasText: 'ann@example.com' }).waitFor();
      await identifiers.getByRole('row').filter({ hasText: 'Phone' }).filter({ hasText: '7700' }).waitFor();
      expect(await identifiers.getByText('from the event API').count()).toBe(2);

      const merges = page.getByTestId('merge');
      await expect.poll(() => merges.count()).toBe(1);
      const mergeText = (await merges.first().textContent()) ?? '';
      expect(mergeText).toContain(`Merged automatically with #${mergedAway}`);
      expect(mergeText).toContain('linked by');
      await page.getByRole('region', { name: 'What they did' }).getByRole('listitem').nth(2).waitFor();

      // The customer that was merged away leads to the one it became.
      await page.goto(`${origin}/customers/${mergedAway}`);
      await page.getByText(`was merged into #${survivor}`).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/customers/${survivor}`);
      await page.getByRole('heading', { level: 1, name: 'Ann Lee' }).waitFor();

      // Phone search reads the number as the shop's country (GB) writes it.
      await nav(page, 'Customers');
      await search(page, '07700 900123');
      await expect.poll(() => resultRows(page).count()).toBe(1);
      expect(await resultRows(page).first().textContent()).toContain('Ann Lee');
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  let reviewedInto = 0;

  it(
    'asks in Merge review when one event links four customers, and merges them when approved',
    async () => {
      const base = { type: 'visit', source: 'api', payload: { firstName: 'Cara' } };
      const four = await send(
        { ...base, occurredAt: '2026-03-04T09:00:00Z', externalId: 'c-1', identifiers: { email: 'cara@example.com' } },
        { ...base, occurredAt: '2026-03-04T09:05:00Z', externalId: 'c-2', identifiers: { phone: '+44 7700 900456' } },
        { ...base, occurredAt: '2026-03-04T09:10:00Z', externalId: 'c-3', identifiers: { loyalty_id: 'L-1001' } },
        { ...base, occurredAt: '2026-03-04T09:15:00Z', externalId: 'c-4', identifiers: { device_id: 'dev-cara-1' } },
      );
      expect(new Set(four.map((r) => r.profileId)).size).toBe(4);

      const page = await open(server.launchUrl);
      await nav(page, 'Customers');
      await search(page, 'Cara');
      await expect.poll(() => resultRows(page).count()).toBe(4);

      await send({
        type: 'purchase',
        occurredAt: '2026-03-05T10:00:00Z',
        source: 'api',
        externalId: 'o-cara-1',
        identifiers: {
          email: 'cara@example.com',
          phone: '+44 7700 900456',
          loyalty_id: 'L-1001',
          device_id: 'dev-cara-1',
        },
        payload: { total: 20, currency: 'GBP', firstName: 'Cara', lastName: 'Moss' },
      });

      // Changing page refreshes the badge; the link keeps its exact name beside it.
      await nav(page, 'Dashboard');
      const badge = page.getByRole('navigation').getByRole('status', { name: '1 waiting' });
      await badge.waitFor();
      expect(await badge.textContent()).toBe('1');
      await nav(page, 'Merge review');
      await page.getByRole('heading', { level: 1, name: 'Merge review' }).waitFor();

      const review = page.getByRole('article');
      await expect.poll(() => review.count()).toBe(1);
      expect(await review.getByRole('region', { name: /^Customer #\d+$/ }).count()).toBe(4);
      const evidence = (await review.locator('.evidence').textContent()) ?? '';
      expect(evidence).toContain('Email cara@example.com is on #');
      expect(evidence).toContain('Loyalty number L-1001');
      expect(evidence).toContain('Device dev-cara-1');

      await review.getByRole('button', { name: 'Merge them' }).click();
      const done = page.getByRole('status').filter({ hasText: 'Merged into one customer' });
      await done.waitFor();
      await expect.poll(() => review.count()).toBe(0);
      await page.getByText('Nothing to review.').waitFor();
      await expect.poll(() => badge.count()).toBe(0);
      expect(await rpc<{ count: number }>('merges.pendingCount')).toEqual({ count: 0 });

      const href = (await done.getByRole('link').getAttribute('href')) ?? '';
      reviewedInto = Number(href.split('/').pop());
      expect(four.map((r) => r.profileId)).toContain(reviewedInto);

      await nav(page, 'Customers');
      await search(page, 'Cara');
      await expect.poll(() => resultRows(page).count()).toBe(1);
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'undoes the approved merge from the Customer 360 page, after an in-place "are you sure"',
    async () => {
      expect(reviewedInto).toBeGreaterThan(0);
      const page = await open(`${server.launchUrl}`);
      await page.goto(`${origin}/customers/${reviewedInto}`);
      await page.getByRole('heading', { level: 2, name: 'Merge history' }).waitFor();
      const merge = page.getByTestId('merge').filter({ hasText: 'after your review' });
      await merge.waitFor();

      await merge.getByRole('button', { name: 'Undo' }).click();
      await merge.getByText('Are you sure?').waitFor();
      await merge.getByRole('button', { name: 'Cancel' }).click();
      await merge.getByRole('button', { name: 'Undo' }).waitFor();

      await merge.getByRole('button', { name: 'Undo' }).click();
      await merge.getByRole('button', { name: 'Yes, undo' }).click();
      await page.getByRole('status').filter({ hasText: 'Merge undone' }).waitFor();
      await page.getByTestId('merge').filter({ hasText: 'Undone on' }).waitFor();
      expect(await page.getByRole('button', { name: 'Undo' }).count()).toBe(0);

      await nav(page, 'Customers');
      await search(page, 'Cara');
      await expect.poll(() => resultRows(page).count()).toBe(4);
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it('shows the event API key in Settings and replaces it; the old key stops working', async () => {
    const page = await open(server.launchUrl);
    await nav(page, 'Settings');
    const field = page.getByLabel('API key');
    await expect.poll(() => field.inputValue()).toBe(apiKey);
    expect(await page.getByText('X-Api-Key').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Replace key' }).click();
    await page.getByRole('button', { name: 'Yes, replace it' }).click();
    await page.getByRole('status').filter({ hasText: 'Key replaced' }).waitFor();
    const replaced = await field.inputValue();
    expect(replaced).not.toBe(apiKey);
    expect(await rpc<{ apiKey: string }>('settings.apiKey')).toEqual({ apiKey: replaced });

    const event: EventBody = {
      type: 'visit',
      occurredAt: '2026-03-06T09:00:00Z',
      identifiers: { email: 'z@example.com' },
    };
    expect((await postEvents(event, apiKey)).status).toBe(401);
    expect((await postEvents(event, replaced)).status).toBe(202);
    await page.context().close();
    expect(problems).toEqual([]);
  });
  it("saves a copy of a customer's data and erases them from their Customer 360 page", async () => {
    apiKey = (await rpc<{ apiKey: string }>('settings.apiKey')).apiKey;
    const [posted] = await send({
      type: 'purchase',
      occurredAt: '2026-03-07T09:00:00Z',
      source: 'api',
      externalId: 'erase-1',
      identifiers: { email: 'erin.erase@example.com' },
      payload: { total: 9.5, firstName: 'Erin', lastName: 'Erase' },
    });
    const page = await open(server.launchUrl);
    await page.goto(`${origin}/customers/${posted?.profileId}`);
    await page.getByRole('heading', { level: 1, name: 'Erin Erase' }).waitFor();
    await page.getByRole('button', { name: 'Save a copy of their data' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved on this PC' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Saved on this PC' }).textContent()).toMatch(
      /exports\/customer-data-/,
    );
    await page.getByRole('button', { name: 'Erase this customer' }).click();
    await page.getByRole('button', { name: 'Yes, erase' }).click();
    await page.getByRole('status').filter({ hasText: 'everything about them were erased' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/customers');
    const left = await rpc<{ total: number }>('customers.search', { query: 'erin.erase@example.com' });
    expect(left.total).toBe(0);
    await page.context().close();
    expect(problems).toEqual([]);
  });
});
