/**
 * Segments, next purchase and recommendations in Chromium, against the
 * headless server the CLI starts. A seeded sales history with line items (a
 * generic transactions file: one row per item, rows of one order sharing its
 * order id; 320 customers over 14 months, coffee people who mostly also buy
 * filters, tea people who mostly also buy honey, some who stop buying) is
 * dropped on the Import page and imported, then Retrain runs through its new
 * stages. The Models page names the segments in shop words and says how the
 * predictions were made; a segment opens the Customers list filtered to it
 * (the same customers the RPC gives for that segment), and the filter can be
 * changed there. A customer with recommendations shows them on their 360 page
 * with a "Bought with …" reason, beside the segment badge and the risk reasons.
 * Without Chromium this file is skipped loudly; under CI=true a missing
 * Chromium fails.
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../shared/contract/index';
import { appInBrowser, dropFile, skipBrowser, watchForProblems } from '../support/browser';
import { seededRandom } from '../support/population';
import { rpcOf, type Served } from '../support/spawn';

const FLOW_TIMEOUT = 120_000;
const FILE_NAME = 'sales-with-items.csv';
const CUSTOMERS = 320;
const DAY = 86_400_000;
/** The history: 14 months of sales, ending long enough ago that predictions are made as of the day after it. */
const FIRST_DAY = Date.UTC(2024, 10, 1);
const LAST_DAY = Date.UTC(2025, 11, 31);
/** A small shop: a few dozen customers over ten weeks, too little for the learned models. */
const SMALL_SHOP_CUSTOMERS = 36;
const SMALL_FIRST_DAY = Date.UTC(2025, 9, 22);
const PAGE_SIZE = 50;

/** The names the segments are given (besides "Not bought yet"). */
const KNOWN_SEGMENTS = [
  'Champions',
  'Loyal',
  'Promising',
  'New',
  'Need attention',
  'At risk',
  'Hibernating',
  'Lost',
] as const;

interface Product {
  sku: string;
  title: string;
  price: number;
}

const PRODUCTS = {
  beans: { sku: 'COF-1KG', title: 'Coffee beans 1kg', price: 18.5 },
  filters: { sku: 'FLT-100', title: 'Paper filters 100', price: 3.2 },
  grinder: { sku: 'GRN-1', title: 'Hand grinder', price: 34 },
  tea: { sku: 'TEA-250', title: 'Loose leaf tea 250g', price: 7.5 },
  honey: { sku: 'HNY-340', title: 'Wildflower honey', price: 6.8 },
  teapot: { sku: 'POT-1', title: 'Glass teapot', price: 22 },
  chocolate: { sku: 'CHO-100', title: 'Dark chocolate', price: 3.9 },
  biscuits: { sku: 'BIS-200', title: 'Oat biscuits', price: 2.6 },
} satisfies Record<string, Product>;

/** What a kind of customer buys: a staple every time, a companion when they have the habit, a rare one-off. */
const TASTES: { staple: Product; companion: Product; oneOff: Product }[] = [
  { staple: PRODUCTS.beans, companion: PRODUCTS.filters, oneOff: PRODUCTS.grinder },
  { staple: PRODUCTS.tea, companion: PRODUCTS.honey, oneOff: PRODUCTS.teapot },
];
const TREATS = [PRODUCTS.chocolate, PRODUCTS.biscuits];

const FIRST_NAMES = ['Ada', 'Bo', 'Cyd', 'Dina', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jude', 'Kit', 'Lena', 'Milo'];
const LAST_NAMES = ['Abbott', 'Bell', 'Cole', 'Drake', 'Ellis', 'Ford', 'Grant', 'Hale', 'Ince', 'Jarvis'];

/**
 * Order ID, Date, Name, Email, Item, SKU, Qty, Amount: one row per line item. Each customer starts within the
 * first `startWithinDays` and comes back every so often at their own pace; about 45% stop at some point. Coffee people buy
 * beans every time and, when it is their habit (70% of them), filters too; tea people the same with tea and honey;
 * anyone may add a treat or, rarely, a grinder or teapot.
 */
function salesHistory(
  seed: number,
  shop: { customers: number; firstDay: number; lastDay: number; startWithinDays: number; gapDays: [number, number] },
): { csv: string; rows: number } {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const orders: { at: number; name: string; email: string; items: { product: Product; quantity: number }[] }[] = [];
  for (let c = 0; c < shop.customers; c++) {
    const first = FIRST_NAMES[c % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[Math.floor(c / FIRST_NAMES.length) % LAST_NAMES.length] as string;
    const name = `${first} ${last}`;
    const email = `${first}.${last}.${c}@example.com`.toLowerCase();
    const taste = TASTES[c % TASTES.length] as (typeof TASTES)[number];
    const habit = random() < 0.7;
    const gapDays = shop.gapDays[0] + random() * (shop.gapDays[1] - shop.gapDays[0]);
    const start = shop.firstDay + Math.floor(random() * shop.startWithinDays) * DAY;
    const stops = random() < 0.3 + gapDays / 200;
    const end = stops ? start + (20 + random() * 300) * DAY : shop.lastDay;
    for (
      let at = start;
      at <= Math.min(end, shop.lastDay);
      at += Math.max(1, Math.round(gapDays * (0.4 + random() * 1.2))) * DAY
    ) {
      const items = [{ product: taste.staple, quantity: random() < 0.3 ? 2 : 1 }];
      if (habit && random() < 0.75) items.push({ product: taste.companion, quantity: 1 });
      if (random() < 0.25) items.push({ product: pick(TREATS), quantity: 1 + Math.floor(random() * 3) });
      if (random() < 0.04) items.push({ product: taste.oneOff, quantity: 1 });
      orders.push({ at, name, email, items });
    }
  }
  orders.sort((a, b) => a.at - b.at);
  const lines = ['Order ID,Date,Name,Email,Item,SKU,Qty,Amount'];
  orders.forEach((order, i) => {
    const id = `A${String(i + 1).padStart(6, '0')}`;
    const date = new Date(order.at).toISOString().slice(0, 10);
    for (const { product, quantity } of order.items) {
      const amount = (product.price * quantity).toFixed(2);
      lines.push(`${id},${date},${order.name},${order.email},${product.title},${product.sku},${quantity},${amount}`);
    }
  });
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}

async function nav(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** Drops the history on the Import page and imports it to the end. */
async function importHistory(page: Page, history: { csv: string; rows: number }): Promise<void> {
  await nav(page, 'Import');
  await dropFile(page, history.csv, FILE_NAME);
  await page.getByText('ConstIntel recognised this file as Sales list.').waitFor();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Import finished' }).waitFor({ timeout: 30_000 });
  await page.getByText(`All ${history.rows.toLocaleString('en-GB')} rows of ${FILE_NAME} were read.`).waitFor();
}

/** Presses Retrain on the Models page and follows the job to its end; returns the last status line (or the advice). */
async function retrain(page: Page): Promise<string> {
  await nav(page, 'Models');
  await page.getByRole('region', { name: 'Retrain' }).getByRole('button', { name: 'Retrain', exact: true }).click();
  const status = page.getByTestId('retrain-status');
  const advice = page.getByTestId('retrain-advice');
  await status.or(advice).first().waitFor();
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await advice.count()) > 0) return (await advice.textContent()) ?? '';
    const text = (await status.textContent()) ?? '';
    if (text.startsWith('Done') || text.startsWith('You stopped') || Date.now() > deadline) return text;
    await page.waitForTimeout(50);
  }
}

async function openApp(app: { browser: Browser; server: Served }, problems: string[]): Promise<Page> {
  const context = await app.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  watchForProblems(page, problems);
  await page.goto(app.server.launchUrl);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  return page;
}

type Search = CommandOutput<'customers.search'>;
type Scores = CommandOutput<'models.customer'>;

describe.skipIf(skipBrowser)('Segments and recommendations in Chromium', () => {
  let rpc: ReturnType<typeof rpcOf>;
  const app = appInBrowser('constintel-e2e-segments-');
  const problems: string[] = [];

  /** The customer ids shown in the Customers list ("#12" beside each name), top to bottom. */
  const shownIds = async (page: Page): Promise<number[]> => {
    const rows = page
      .getByRole('table')
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });
    return (await rows.locator('td:first-child .muted').allTextContents()).map((t) => Number(t.replace('#', '')));
  };

  /** Waits until the Customers list shows exactly the first page the RPC gives for this segment. */
  const expectSegmentList = async (page: Page, segment: string) => {
    const expected = await rpc<Search>('customers.search', { segment, limit: PAGE_SIZE });
    expect(expected.total).toBeGreaterThan(0);
    expect(expected.items.every((c) => c.segment === segment)).toBe(true);
    await expect.poll(() => shownIds(page), { timeout: 15_000 }).toEqual(expected.items.map((c) => c.id));
    const cells = await page.getByTestId('segment-cell').allTextContents();
    expect(cells.length).toBe(expected.items.length);
    expect(cells.every((text) => text === segment)).toBe(true);
    expect(await page.getByTestId('showing').textContent()).toBe(
      `Showing 1–${expected.items.length.toLocaleString('en-GB')} of ${expected.total.toLocaleString('en-GB')}`,
    );
    // Customers outside the segment are left out: the whole list is bigger.
    const all = await rpc<Search>('customers.search', { limit: 1 });
    expect(expected.total).toBeLessThan(all.total);
  };

  beforeAll(() => {
    rpc = rpcOf(app.server.launchUrl);
  });

  it(
    'names segments after a retrain, filters customers by segment, and shows a customer’s recommendations with reasons',
    async () => {
      const page = await openApp(app, problems);

      // Before any retrain the segment filter has nothing to offer but "All segments".
      await nav(page, 'Customers');
      const segmentFilter = page.getByRole('combobox', { name: /^Segment/ });
      expect(await segmentFilter.isDisabled()).toBe(true);

      // The history with line items, dropped on the Import page and imported.
      const history = salesHistory(11, {
        customers: CUSTOMERS,
        firstDay: FIRST_DAY,
        lastDay: LAST_DAY,
        startWithinDays: 240,
        gapDays: [10, 65],
      });
      await importHistory(page, history);

      // Retrain, through the new stages too.
      expect(await retrain(page)).toMatch(/^Done: every customer has a new churn risk/);
      const steps = await page.getByRole('list', { name: 'Steps' }).getByRole('listitem').allTextContents();
      expect(steps).toContain('✓Grouping customers into segments (done)');
      expect(steps).toContain('✓Finding products to recommend (done)');
      expect(steps.every((step) => step.endsWith('(done)'))).toBe(true);

      // How the predictions were made, in words, on the active version and in the versions list.
      const method = page.getByTestId('method');
      await method.waitFor();
      // 320 customers over 14 months are enough for the learned models.
      expect(await method.textContent()).toBe('How it predicts: Learned from your shop’s history.');
      expect(await page.getByTestId('version-method').first().textContent()).toBe('Learned from your shop’s history');

      // The segments, named in shop words, best first, with their size, share, value and spend.
      const segmentRows = page.getByRole('table', { name: 'Segments' }).getByTestId('segment');
      await expect.poll(() => segmentRows.count(), { timeout: 15_000 }).toBeGreaterThan(1);
      const names = await segmentRows.getByRole('link').allTextContents();
      const known = names.filter((name) => (KNOWN_SEGMENTS as readonly string[]).includes(name));
      expect(known.length).toBeGreaterThanOrEqual(2);
      if (names.includes('Not bought yet')) expect(names.at(-1)).toBe('Not bought yet');
      const overview = await rpc<CommandOutput<'models.overview'>>('models.overview');
      expect(names).toEqual(overview.segments.map((s) => s.name));
      expect(overview.segments.reduce((sum, s) => sum + s.customers, 0)).toBe(CUSTOMERS);
      for (const row of await segmentRows.all()) {
        const cells = await row.getByRole('cell').allTextContents();
        expect(cells[1]).toMatch(/^[\d,]+ \(\d+%\)$/);
        expect(cells[3]).toMatch(/\d/);
      }

      // A segment opens the Customers list with only its members: the same ones the RPC gives for it.
      const chosen = overview.segments.find((s) => known.includes(s.name) && s.customers > 0)?.name as string;
      await segmentRows.getByRole('link', { name: chosen, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
      await expect.poll(() => new URL(page.url()).searchParams.get('segment')).toBe(chosen);
      expect(await segmentFilter.inputValue()).toBe(chosen);
      await expectSegmentList(page, chosen);

      // Another segment chosen in the filter: the address and the list follow.
      const other = overview.segments.find((s) => s.name !== chosen && s.customers > 0)?.name as string;
      await segmentFilter.selectOption({ label: other });
      await expect.poll(() => new URL(page.url()).searchParams.get('segment')).toBe(other);
      await expectSegmentList(page, other);

      // Back to everyone.
      await segmentFilter.selectOption({ label: 'All segments' });
      await expect.poll(() => new URL(page.url()).searchParams.has('segment')).toBe(false);

      // A customer with something to recommend (most valuable first) and reasons behind their risk.
      let found: { customer: Search['items'][number]; scores: Scores } | undefined;
      for (let offset = 0; !found && offset < CUSTOMERS; offset += 200) {
        const list = await rpc<Search>('customers.search', { sort: 'lifetime_value', offset, limit: 200 });
        for (const customer of list.items) {
          const scores = await rpc<Scores>('models.customer', { profileId: customer.id });
          if (scores.recommendations.some((r) => r.reason.startsWith('Bought with ')) && scores.reasons.length > 0) {
            found = { customer, scores };
            break;
          }
        }
      }
      expect(found, 'no customer has a recommendation with a “Bought with …” reason').toBeDefined();
      const { customer, scores } = found as NonNullable<typeof found>;

      // Found the way a shop owner would: searched for by email, opened from the list.
      await page.getByRole('searchbox').fill(customer.email ?? '');
      const link = page.getByRole('table').getByRole('link', { name: customer.name ?? '(no name)', exact: true });
      await link.waitFor();
      await link.click();
      await page.getByRole('heading', { level: 1, name: customer.name ?? '(no name)' }).waitFor();

      // The segment as a badge, the risk reasons, and what to suggest with why.
      const prediction = page.getByTestId('prediction');
      await prediction.getByTestId('churn-risk').waitFor();
      expect(await prediction.getByTestId('segment').textContent()).toBe(scores.segment);
      expect(scores.segment).toBe(customer.segment);
      const reasons = prediction.getByRole('list', { name: 'Why' }).getByRole('listitem');
      expect(await reasons.allTextContents()).toEqual(scores.reasons);
      const recommended = prediction.getByRole('list', { name: 'Recommended next' }).getByRole('listitem');
      const lines = await recommended.allTextContents();
      expect(lines).toEqual(scores.recommendations.map((r) => `${r.title} — ${r.reason}`));
      expect(lines.some((line) => / — Bought with \S/.test(line))).toBe(true);
      const titles = Object.values(PRODUCTS).map((p) => p.title);
      for (const r of scores.recommendations) expect(titles).toContain(r.title);

      // When they are likely to buy next, in words and chances.
      if (scores.nextPurchase) {
        expect(await prediction.getByTestId('next-purchase-headline').textContent()).toMatch(
          /^(Likely to buy again by \d{1,2} [A-Z][a-z]{2,3} \d{4}|More likely gone for good than coming back)$/,
        );
        expect(await prediction.getByTestId('next-purchase-chances').textContent()).toMatch(
          /^[<>]?\d+% chance of buying within 30 days · [<>]?\d+% within 90 days$/,
        );
        expect(await prediction.getByTestId('still-active').textContent()).toMatch(
          /^Still a customer \(has not quietly left\): [<>]?\d+%$/,
        );
        expect(await prediction.getByTestId('expected-orders').textContent()).toMatch(
          /^Expected orders in the next \d+ days: \d+\.\d$/,
        );
      }
      // Small-shop mode is said in words on the customer too.
      expect(await prediction.getByTestId('prediction-method').textContent()).toMatch(
        scores.method === 'bgnbd' ? /small-shop mode/ : /from your shop’s own history/,
      );

      // The badge leads to everyone in that segment.
      await prediction.getByTestId('segment').click();
      await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
      await expectSegmentList(page, scores.segment as string);

      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});

describe.skipIf(skipBrowser)('Small-shop mode in Chromium', () => {
  let rpc: ReturnType<typeof rpcOf>;
  const app = appInBrowser('constintel-e2e-small-shop-');
  const problems: string[] = [];

  beforeAll(() => {
    rpc = rpcOf(app.server.launchUrl);
  });

  it(
    'says in words that a small shop’s predictions come from purchase patterns, and which measures could not be made',
    async () => {
      const page = await openApp(app, problems);
      await importHistory(
        page,
        salesHistory(5, {
          customers: SMALL_SHOP_CUSTOMERS,
          firstDay: SMALL_FIRST_DAY,
          lastDay: LAST_DAY,
          startWithinDays: 30,
          gapDays: [5, 20],
        }),
      );
      expect(await retrain(page)).toMatch(/^Done: every customer has a new churn risk/);

      // The method, in words, where the version is described and in the versions list.
      const method = page.getByTestId('method');
      await method.waitFor();
      expect(await method.textContent()).toBe(
        'How it predicts: Small-shop mode: not enough history yet for learned models, so predictions come from each customer’s purchase pattern (BG/NBD).',
      );
      const version = page
        .getByRole('table', { name: 'Versions' })
        .getByRole('row')
        .filter({ has: page.getByRole('cell') });
      await expect.poll(() => version.count()).toBe(1);
      expect(await version.getByTestId('version-method').textContent()).toBe('Small-shop mode');
      expect(await page.getByTestId('small-shop-explained').textContent()).toMatch(/^Small-shop mode: /);

      // A history shorter than the horizons cannot be checked against what came after: said so, not shown as numbers.
      const overview = await rpc<CommandOutput<'models.overview'>>('models.overview');
      expect(overview.active?.method).toBe('bgnbd');
      // Ten weeks of sales are shorter than either horizon: nothing to check the predictions against yet.
      expect(overview.active?.metrics).toMatchObject({ churn: null, ltv: null });
      expect(overview.active?.metrics.backtest ?? null).toBeNull();
      expect(await page.getByTestId('not-measured').textContent()).toMatch(
        /^Could not be measured yet: too few customers with a long enough history/,
      );
      const cells = await version.getByRole('cell').allTextContents();
      expect(cells[1]).toBe('not measured');
      expect(cells[2]).toBe('not measured');

      // Segments are there in small-shop mode too.
      const segments = page.getByRole('table', { name: 'Segments' }).getByTestId('segment');
      expect(await segments.count()).toBe(overview.segments.length);
      expect(overview.segments.length).toBeGreaterThan(0);

      // A repeat customer's 360 page: small-shop mode in words, and when they are likely to buy next.
      const list = await rpc<Search>('customers.search', { sort: 'lifetime_value', limit: 50 });
      const regular = list.items.find((c) => c.totalOrders > 2) as Search['items'][number];
      expect(regular).toBeDefined();
      const scores = await rpc<Scores>('models.customer', { profileId: regular.id });
      expect(scores.method).toBe('bgnbd');
      expect(scores.nextPurchase).not.toBeNull();
      await page.goto(`${new URL(app.server.launchUrl).origin}/customers/${regular.id}`);
      const prediction = page.getByTestId('prediction');
      await prediction.getByTestId('prediction-method').waitFor();
      expect(await prediction.getByTestId('prediction-method').textContent()).toMatch(
        /in small-shop mode: there is not enough history yet for learned models, so this comes from their own purchase pattern \(BG\/NBD\)/,
      );
      expect(await prediction.getByTestId('next-purchase-headline').textContent()).toMatch(
        /^(Likely to buy again by \d{1,2} [A-Z][a-z]{2,3} \d{4}|More likely gone for good than coming back)$/,
      );
      expect(await prediction.getByTestId('expected-orders').textContent()).toMatch(
        /^Expected orders in the next 180 days: \d+\.\d$/,
      );
      // The figures agree with each other: someone almost sure to buy within 90 days expects at least one order in
      // 180, and is worth something.
      const next = scores.nextPurchase as NonNullable<Scores['nextPurchase']>;
      expect(next.within90Days).toBeGreaterThan(0.9);
      expect(next.expectedPurchases, 'expected orders beside a >90% chance of buying within 90 days').toBeGreaterThan(
        1,
      );
      expect(scores.ltvScore, 'predicted value of a regular customer').toBeGreaterThan(0);

      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
