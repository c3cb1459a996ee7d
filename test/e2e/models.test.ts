/**
 * Models in Chromium, against the headless server the CLI starts. With no
 * sales yet, Retrain answers with a friendly "not enough history" notice.
 * Then a seeded sales history (a generic transactions file: 320 customers
 * over 14 months, some of whom stop buying) is dropped on the Import page and
 * imported; Retrain runs with its progress by stage, and the active version's
 * quality reads in words with the raw numbers beside them, with charts and a
 * version history (a second retrain, then a roll back to the first). Customers
 * sorted by churn risk lead to a customer whose 360 page shows their risk,
 * predicted value and the reasons. Without Chromium this file is skipped
 * loudly; under CI=true a missing Chromium fails.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, dropFile, skipBrowser, watchForProblems } from '../support/browser';
import { seededRandom } from '../support/population';

const FLOW_TIMEOUT = 60_000;
const FILE_NAME = 'sales-history.csv';
const CUSTOMERS = 320;
const DAY = 86_400_000;
/** The history: 14 months of sales, ending long enough ago that predictions are made as of the day after it. */
const FIRST_DAY = Date.UTC(2024, 10, 1);
const LAST_DAY = Date.UTC(2025, 11, 31);

const FIRST_NAMES = [
  'Ann',
  'Ben',
  'Cara',
  'Dev',
  'Ella',
  'Finn',
  'Gita',
  'Hugo',
  'Isla',
  'Jon',
  'Kemi',
  'Liam',
  'Maya',
  'Noah',
  'Omar',
  'Priya',
  'Rosa',
  'Sam',
  'Tara',
  'Umar',
];
const LAST_NAMES = [
  'Adams',
  'Baker',
  'Clarke',
  'Dixon',
  'Evans',
  'Fox',
  'Green',
  'Hughes',
  'Iqbal',
  'Jones',
  'Khan',
  'Lewis',
  'Moore',
  'Nash',
  'Owen',
  'Patel',
  'Reid',
  'Shaw',
  'Turner',
  'Wood',
];

/**
 * Receipt, Date, Customer, Email, Amount. Each customer starts in the first
 * eight months, buys every few weeks at their own pace and around their own
 * basket size; about 45% stop buying at some point (sooner for the ones who
 * buy rarely), the others keep coming to the end.
 */
function salesHistory(seed: number): { csv: string; rows: number } {
  const random = seededRandom(seed);
  const sales: { at: number; name: string; email: string; amount: number }[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const first = FIRST_NAMES[c % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[Math.floor(c / FIRST_NAMES.length) % LAST_NAMES.length] as string;
    const name = `${first} ${last}`;
    const email = `${first}.${last}${c >= FIRST_NAMES.length * LAST_NAMES.length ? c : ''}@example.com`.toLowerCase();
    const gapDays = 7 + random() * 60;
    const basket = 12 + random() * 60;
    const start = FIRST_DAY + Math.floor(random() * 240) * DAY;
    const stops = random() < 0.3 + gapDays / 200;
    const end = stops ? start + (20 + random() * 300) * DAY : LAST_DAY;
    for (
      let at = start;
      at <= Math.min(end, LAST_DAY);
      at += Math.max(1, Math.round(gapDays * (0.4 + random() * 1.2))) * DAY
    ) {
      sales.push({ at, name, email, amount: Math.round(basket * (0.5 + random()) * 100) / 100 });
    }
  }
  sales.sort((a, b) => a.at - b.at);
  const lines = ['Receipt,Date,Customer,Email,Amount'];
  sales.forEach((sale, i) => {
    const date = new Date(sale.at).toISOString().slice(0, 10);
    lines.push(`R${String(i + 1).padStart(6, '0')},${date},${sale.name},${sale.email},${sale.amount.toFixed(2)}`);
  });
  return { csv: `${lines.join('\n')}\n`, rows: sales.length };
}

describe.skipIf(skipBrowser)('Models in Chromium', () => {
  const app = appInBrowser('constintel-e2e-models-');
  const problems: string[] = [];

  const nav = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };

  /** Presses Retrain and follows the job to its end; returns every status line seen on the way. */
  const retrain = async (page: Page): Promise<string[]> => {
    const retrainPanel = page.getByRole('region', { name: 'Retrain' });
    await retrainPanel.getByRole('button', { name: 'Retrain', exact: true }).click();
    const status = page.getByTestId('retrain-status');
    await status.waitFor();
    const seen: string[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const text = (await status.textContent()) ?? '';
      if (seen.at(-1) !== text) seen.push(text);
      if (text.startsWith('Done') || text.startsWith('You stopped') || Date.now() > deadline) break;
      await page.waitForTimeout(40);
    }
    return seen;
  };

  it(
    'retrains on an imported sales history with progress, explains the result in words, and shows a customer’s risk and reasons',
    async () => {
      const context = await app.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London' });
      const page = await context.newPage();
      watchForProblems(page, problems);
      await page.goto(app.server.launchUrl);
      await page.getByRole('heading', { level: 1 }).first().waitFor();

      // With nothing to learn from, Retrain says what is missing as advice, not as a crash.
      await nav(page, 'Models');
      expect(await page.getByTestId('not-built').count()).toBe(0);
      await page.getByTestId('no-model').waitFor();
      await page.getByRole('button', { name: 'Retrain', exact: true }).click();
      const advice = page.getByTestId('retrain-advice');
      await advice.waitFor();
      expect(await advice.textContent()).toMatch(/not enough history/i);
      expect(await page.locator('.problem').count()).toBe(0);

      // The nightly retrain is switched on from the same panel, and stays on after a reload.
      const nightly = page.getByTestId('retrain-nightly');
      expect(await nightly.isChecked()).toBe(false);
      await nightly.check();
      await expect.poll(() => nightly.isDisabled()).toBe(false);
      await page.reload();
      await expect.poll(() => page.getByTestId('retrain-nightly').isChecked()).toBe(true);

      // The history dropped on the Import page and imported.
      const history = salesHistory(7);
      await nav(page, 'Import');
      await dropFile(page, history.csv, FILE_NAME);
      await page.getByText('ConstIntel recognised this file as Sales list.').waitFor();
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Import finished' }).waitFor({ timeout: 30_000 });
      await page.getByText(`All ${history.rows.toLocaleString('en-GB')} rows of ${FILE_NAME} were read.`).waitFor();

      // Retrain, followed stage by stage to the end.
      await nav(page, 'Models');
      await page.getByTestId('no-model').waitFor();
      const seen = await retrain(page);
      expect(seen.some((text) => /^(Starting…|Step [1-8] of 8: [a-z ]+…)$/.test(text))).toBe(true);
      expect(seen.at(-1)).toMatch(/^Done: every customer has a new churn risk and predicted value/);
      expect(await page.getByRole('progressbar', { name: 'Retraining' }).getAttribute('aria-valuenow')).toBe('100');
      const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
      expect(await steps.allTextContents()).toEqual([
        '✓Checking your data (done)',
        '✓Building customer features (done)',
        '✓Learning churn risk (done)',
        '✓Learning customer value (done)',
        '✓Scoring every customer (done)',
        '✓Grouping customers into segments (done)',
        '✓Finding products to recommend (done)',
        '✓Saving (done)',
      ]);

      // The active version in words, the raw numbers beside them, and what churn and value mean.
      const quality = page.getByTestId('model-quality');
      await quality.waitFor();
      // The history ended long ago, so the predictions are as of the day after its last sale.
      expect(await page.getByTestId('as-of').textContent()).toMatch(/^(2[0-9]|3[01]) Dec 2025$|^1 Jan 2026$/);
      const meanings = (await quality.getByRole('definition').allTextContents()).join(' | ');
      expect(meanings).toBe('no purchase in the next 90 days | what a customer spends over the next 180 days');
      expect(await page.getByTestId('metric-precision').textContent()).toMatch(
        /^Of the customers it rated most at risk \(top 10%\), \d+% really did not come back within 90 days — against \d+% of all customers\. precision in top 10%: [01]\.\d\d; base rate [01]\.\d\d$/,
      );
      expect(await page.getByTestId('metric-ranking').textContent()).toMatch(
        /^Ranks customers by risk (better than|about as well as|less well than) judging by their last purchase alone \([01]\.\d\d vs [01]\.\d\d, where 1 is perfect and 0\.5 is a coin toss\)\. AUC [01]\.\d{3}/,
      );
      expect(await page.getByTestId('metric-spend').textContent()).toMatch(
        /^Predicted spend over 180 days is off by \D*[\d,]+\D* per customer on average, (against|no better than)/,
      );

      // The shop's own risk levels: High, Medium and Low with their lines, set from its usual risk.
      const levels = page.getByTestId('risk-levels-panel');
      expect(await levels.getByTestId('usual-risk').textContent()).toMatch(/^\d+%$/);
      const lines = await levels.getByRole('definition').allTextContents();
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(
        /^(\d+(\.\d)?% or more|over 99\.9%): the riskiest fifth of the customers who are riskier than usual$/,
      );
      expect(lines[1]).toMatch(/^[\d.]+% to (under )?[\d.]+%$/);
      expect(lines[2]).toMatch(/^under [\d.]+%: less than half the usual$/);

      // Charts: the spread of both scores and what the churn risk depends on.
      const churnBars = page.getByRole('list', { name: /^Churn risk/ }).getByRole('listitem');
      expect(await churnBars.count()).toBeGreaterThan(1);
      const counted = (await churnBars.allTextContents()).map((t) =>
        Number(/: ([\d,]+) customers$/.exec(t)?.[1]?.replace(/,/g, '')),
      );
      expect(counted.reduce((a, b) => a + b, 0)).toBe(CUSTOMERS);
      expect(
        await page
          .getByRole('list', { name: /^Predicted value/ })
          .getByRole('listitem')
          .count(),
      ).toBeGreaterThan(1);
      const importance = page.getByRole('list', { name: /^What the churn risk depends on most/ }).getByRole('listitem');
      expect(await importance.count()).toBeGreaterThan(0);
      expect(await importance.first().textContent()).toMatch(/[A-Za-z].*\d+%$/);

      // A second retrain, then back to the first with "Use this version".
      await retrain(page);
      const versions = page
        .getByRole('table', { name: 'Versions' })
        .getByRole('row')
        .filter({ has: page.getByRole('cell') });
      await expect.poll(() => versions.count(), { timeout: 30_000 }).toBe(2);
      expect(await versions.first().getByText('In use').count()).toBe(1);
      const older = versions.last();
      expect(await older.getByRole('cell').nth(3).textContent()).toMatch(/^[\d,]+ examples$/);
      await older.getByRole('button', { name: 'Use this version' }).click();
      await older.getByRole('button', { name: 'Yes, use it' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Version #\d+ from .* is in use again/ })
        .waitFor();
      await expect.poll(() => older.getByText('In use').count()).toBe(1);
      expect(await versions.first().getByRole('button', { name: 'Use this version' }).count()).toBe(1);

      // Customers sorted by churn risk, highest first, with both scores as columns.
      await nav(page, 'Customers');
      await page.getByLabel('Sort by').selectOption({ label: 'Churn risk, highest first' });
      const rows = page
        .getByRole('table')
        .getByRole('row')
        .filter({ has: page.getByRole('cell') });
      await expect.poll(() => page.url()).toContain('sort=churn_risk');
      const risks = async () =>
        (await rows.getByTestId('churn-cell').allTextContents()).map((t) => Number(/([\d.]+)%/.exec(t)?.[1] ?? -1));
      // Once the list is the sorted one: every row scored, highest risk first.
      await expect
        .poll(async () => {
          const shown = await risks();
          return shown.length > 0 && shown.every((r, i) => r >= 0 && (i === 0 || r <= (shown[i - 1] ?? 0)));
        })
        .toBe(true);
      expect(await rows.first().getByTestId('churn-cell').textContent()).toMatch(
        /^(High|Medium|Low) · [<>]?\d+(\.\d)?%$/,
      );
      // The lines the bands follow, beside the filter.
      expect(await page.getByTestId('risk-levels').textContent()).toMatch(
        /^Risk levels: High ([\d.]+% or more|over 99\.9%) · Medium [\d.]+% to (under )?[\d.]+% · Low under [\d.]+%\. Set from your own customers: [\d.]+% is the usual chance/,
      );
      expect(await rows.first().getByRole('cell').last().textContent()).toMatch(/\d/);

      // Only the high-risk customers.
      await page.getByRole('combobox', { name: /^Risk/ }).selectOption({ label: 'High risk' });
      await expect.poll(() => page.url()).toContain('risk=high');
      await expect
        .poll(async () => (await rows.getByTestId('churn-cell').allTextContents()).every((t) => t.startsWith('High')))
        .toBe(true);

      // The riskiest customer's 360 page: risk in words and numbers, predicted value, reasons.
      const name = (await rows.first().getByRole('link').textContent()) ?? '';
      await rows.first().getByRole('link').click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      const risk = page.getByTestId('churn-risk');
      await risk.waitFor();
      expect(await risk.textContent()).toMatch(
        /^High risk [<>]?\d\d(\.\d)?% chance of no purchase in the next 90 days(High for your shop means .*\(usual: \d+%\))$/,
      );
      expect(await page.getByTestId('risk-meaning').textContent()).toMatch(
        /^High for your shop means (\d+(\.\d)?% or more|over 99\.9%) \(usual: \d+%\)$/,
      );
      expect(await page.getByTestId('predicted-value').textContent()).toMatch(
        /\d.* likely spend over the next 180 days$/,
      );
      const reasons = page.getByRole('list', { name: 'Why' }).getByRole('listitem');
      expect(await reasons.count()).toBeGreaterThan(0);
      expect(await page.getByTestId('not-scored').count()).toBe(0);

      await context.close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
