/**
 * Import in Chromium, against the headless server the CLI starts: a Square
 * item-sales export picked with the file input (the same upload a drop
 * makes), recognised and previewed, one column's meaning changed and changed
 * back, imported to a summary in words, listed under "Earlier imports", and
 * its customers found in Customers. Then the same file dropped on the window
 * and imported with its Date column unused (those settings saved under a name
 * and offered again): every row is rejected, and the rejected rows download
 * as a CSV with a `reason` column. A UK till export as an Excel workbook in a shop set to the United States: the
 * preview asks which country, Use United Kingdom, and every phone is read; then it is undone from the history
 * (asked first), shows as Undone with what went, and its customers are gone. Without Chromium
 * this file is skipped loudly; under CI=true a missing Chromium fails.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, dropFile, skipBrowser, watchForProblems } from '../support/browser';
import { rpcOf } from '../support/spawn';

const FLOW_TIMEOUT = 90_000;
const FIXTURE_NAME = 'square-item-sales.csv';
const FIXTURE = fileURLToPath(new URL(`../fixtures/import/${FIXTURE_NAME}`, import.meta.url));
/** The fixture's data rows (its header is line 1). */
const FIXTURE_ROWS = 8;

describe.skipIf(skipBrowser)('Import in Chromium', () => {
  const app = appInBrowser('constintel-e2e-import-');
  const problems: string[] = [];

  const open = async (): Promise<Page> => {
    const context = await app.browser.newContext({
      locale: 'en-GB',
      timezoneId: 'Europe/London',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(app.server.launchUrl);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    return page;
  };

  const nav = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };

  const previewRows = (page: Page) =>
    page
      .getByRole('table', { name: 'as they will be imported' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });

  /** The "Becomes" cell (the last) of the preview's first data row. */
  const firstBecomes = (page: Page) => previewRows(page).first().getByRole('cell').last();

  const roleOf = (page: Page, header: string) => page.getByLabel(`What “${header}” means`, { exact: true });

  /** The value next to a label in the import summary. */
  const fact = (summary: Locator, label: string) =>
    summary.getByRole('term').filter({ hasText: label }).locator('xpath=following-sibling::dd[1]').textContent();

  const summaryOf = (page: Page) => page.getByRole('region', { name: /^Import finished/ }).locator('dl');

  it(
    'previews a Square export, takes a changed column, imports it with a summary, and its customers are in Customers',
    async () => {
      const page = await open();
      await nav(page, 'Import');
      await page.getByTestId('no-imports').waitFor();
      expect(await page.getByTestId('not-built').count()).toBe(0);

      // Dragging a file over the window says where to drop it.
      await page.evaluate(() => {
        const files = new DataTransfer();
        files.items.add(new File(['a,b\n'], 'dragged.csv', { type: 'text/csv' }));
        window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: files, bubbles: true }));
      });
      await page.getByText('Drop the file to import it').waitFor();
      await page.evaluate(() => {
        const files = new DataTransfer();
        files.items.add(new File(['a,b\n'], 'dragged.csv', { type: 'text/csv' }));
        window.dispatchEvent(new DragEvent('dragleave', { dataTransfer: files, bubbles: true }));
      });
      await page.getByText('Drop the file to import it').waitFor({ state: 'detached' });

      // The file input is the one "Choose a file…" opens; it uploads the file just as a drop does.
      await page.getByTestId('import-file-input').setInputFiles(FIXTURE);
      await page.getByTestId('chosen-file').filter({ hasText: FIXTURE_NAME }).waitFor();
      await page.getByText('ConstIntel recognised this file as Square item sales.').waitFor();
      expect(await page.getByLabel('What this file is').inputValue()).toBe('square_item_sales');
      expect(await page.getByText('Standard (UTF-8) text, comma-separated, numbers written 1,234.50').count()).toBe(1);
      await expect.poll(() => previewRows(page).count()).toBe(FIXTURE_ROWS);
      const first = (await firstBecomes(page).textContent()) ?? '';
      expect(first).toContain('purchase of 5.25');
      expect(first).toContain('Ann Lee');
      expect(await roleOf(page, 'Date').inputValue()).toBe('date');
      expect(await roleOf(page, 'Customer Name').inputValue()).toBe('full_name');

      // The columns left out are named in words beside the mapping, not only greyed in the table.
      const notImported = page.locator('.not-imported');
      expect(await notImported.textContent()).toMatch(/^Not imported \(\d+ columns\): .*“Gross Sales”/);
      expect(await notImported.textContent()).not.toContain('“Date”');

      // Without its Date column every row would be rejected, and says why; with it back, they are purchases again.
      await roleOf(page, 'Date').selectOption({ label: 'Not imported' });
      await expect.poll(() => firstBecomes(page).textContent()).toBe('Rejected: no date');
      expect(await notImported.textContent()).toContain('“Date”');
      await page.getByText(`${FIXTURE_ROWS} of these ${FIXTURE_ROWS} rows would be rejected`).waitFor();
      expect(await previewRows(page).and(page.locator('.rejected')).count()).toBe(FIXTURE_ROWS);
      await roleOf(page, 'Date').selectOption({ label: 'Date' });
      await expect.poll(() => firstBecomes(page).textContent()).toContain('purchase of 5.25');
      expect(await page.getByText('would be rejected').count()).toBe(0);

      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Import finished' }).waitFor({ timeout: 30_000 });
      expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
      const summary = summaryOf(page);
      expect(await fact(summary, 'Rows read')).toBe(String(FIXTURE_ROWS));
      expect(await fact(summary, 'Sales, refunds and customer details added')).toBe('7');
      expect(await fact(summary, 'New customers')).toBe('3');
      expect(await fact(summary, 'Merged automatically')).toBe('0');
      expect(await fact(summary, 'Waiting for you in Merge review')).toBe('0');
      expect(await fact(summary, 'Already known (skipped)')).toBe('0');
      expect(await fact(summary, 'Sales without a customer')).toBe('1');
      expect(await fact(summary, 'Rows rejected')).toBe('0');
      // The fixture has no row to reject: nothing to download.
      expect(await page.getByRole('link', { name: 'Download the rejected rows (CSV)' }).count()).toBe(0);

      const history = page.getByRole('table', { name: 'Earlier imports' });
      const listed = history.getByRole('row').filter({ hasText: FIXTURE_NAME });
      await listed.filter({ hasText: 'Finished' }).waitFor();
      expect(await listed.count()).toBe(1);

      await nav(page, 'Customers');
      await page.getByRole('searchbox', { name: 'Search' }).fill('Jennifer Smith');
      const customer = page.getByRole('table').getByRole('row').filter({ hasText: 'Jennifer Smith' });
      await customer.waitFor();
      expect(await customer.count()).toBe(1);

      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'imports a dropped file with its Date column unused (saved as settings): every row is rejected and downloads with the reason',
    async () => {
      const page = await open();
      await nav(page, 'Import');
      const history = page.getByRole('table', { name: 'Earlier imports' });
      // Earlier imports are loaded (or there are none) before counting them.
      await history.or(page.getByTestId('no-imports')).waitFor();
      const before = await history.getByRole('row').filter({ hasText: FIXTURE_NAME }).count();

      // A real drop on the window, with the fixture's bytes.
      await dropFile(page, readFileSync(FIXTURE), FIXTURE_NAME);
      await page.getByText('ConstIntel recognised this file as Square item sales.').waitFor();
      expect(await page.getByText('Drop the file to import it').count()).toBe(0);

      await roleOf(page, 'Date').selectOption({ label: 'Not imported' });
      await expect.poll(() => firstBecomes(page).textContent()).toBe('Rejected: no date');

      // These settings saved under a name are offered again for files with the same columns.
      const saveForm = page.getByRole('form', { name: 'Save these settings' });
      await saveForm.getByRole('button', { name: 'Save settings' }).click();
      await saveForm.getByRole('alert').filter({ hasText: 'Type a name' }).waitFor();
      await saveForm.getByLabel('Save these settings as…').fill('Square without dates');
      await saveForm.getByRole('button', { name: 'Save settings' }).click();
      await saveForm.getByRole('status').filter({ hasText: 'Saved as “Square without dates”.' }).waitFor();
      const offer = page.getByRole('button', { name: 'Use saved settings: Square without dates' });
      await offer.click();
      await page.getByRole('status').filter({ hasText: 'Using the saved settings “Square without dates”.' }).waitFor();
      expect(await roleOf(page, 'Date').inputValue()).toBe('ignore');

      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Import finished' }).waitFor({ timeout: 30_000 });
      const summary = summaryOf(page);
      expect(await fact(summary, 'Rows read')).toBe(String(FIXTURE_ROWS));
      expect(await fact(summary, 'Sales, refunds and customer details added')).toBe('0');
      expect(await fact(summary, 'Rows rejected')).toBe(String(FIXTURE_ROWS));

      const link = page.getByRole('link', { name: 'Download the rejected rows (CSV)' });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/^import-\d+-rejected-rows\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
      const [header, ...rows] = csv.trim().split(/\r?\n/);
      expect(header?.split(',').at(-1)).toBe('reason');
      expect(rows).toHaveLength(FIXTURE_ROWS);
      expect(rows[0]).toContain('no date');

      // The new import is listed first, with its rejected rows to download there too.
      const listed = history.getByRole('row').filter({ hasText: FIXTURE_NAME });
      await expect.poll(() => listed.count()).toBe(before + 1);
      const newest = listed.first();
      expect(await newest.getByRole('cell').nth(2).textContent()).toBe('Finished');
      expect(await newest.getByRole('cell').last().textContent()).toContain(String(FIXTURE_ROWS));
      expect(
        await newest.getByRole('link', { name: `Download the rejected rows of ${FIXTURE_NAME}` }).getAttribute('href'),
      ).toBe(await link.getAttribute('href'));

      await page.getByRole('button', { name: 'Import another file' }).click();
      await page.getByRole('button', { name: 'Choose a file…' }).waitFor();
      expect(await page.getByRole('heading', { level: 2, name: 'Import finished' }).count()).toBe(0);

      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'a UK till export as an Excel workbook, in a shop set to the United States: the preview asks, Use United Kingdom, every phone read',
    async () => {
      await rpcOf(app.server.launchUrl)('settings.update', { defaultCountry: 'US' });
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('Sales');
      sheet.addRow(['Receipt', 'Date', 'Customer', 'Phone', 'Amount']);
      const prefixes = ['07400', '07521', '07712', '07801', '07923'];
      for (let i = 0; i < 12; i++)
        sheet.addRow([
          `UK${i}`,
          new Date(Date.UTC(2026, 1, (i % 9) + 1, 10)),
          `Client ${i}`,
          `${prefixes[i % 5]} ${100123 + i * 7919}`,
          10 + i,
        ]);
      const page = await open();
      await nav(page, 'Import');
      await dropFile(page, Buffer.from(await book.xlsx.writeBuffer()), 'uk-till.xlsx');
      const question = page.getByTestId('phone-country-question');
      await question.waitFor();
      expect(await question.textContent()).toContain('look like United Kingdom numbers (12 of 12 cannot be read');
      await question.getByRole('button', { name: 'Use United Kingdom' }).click();
      await expect.poll(() => question.count()).toBe(0);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Import finished' }).waitFor({ timeout: 30_000 });
      expect(await fact(summaryOf(page), 'Rows read')).toBe('12');
      expect(await summaryOf(page).getByRole('term').filter({ hasText: 'Phone numbers not read' }).count()).toBe(0);
      const customers = await rpcOf(app.server.launchUrl)<{ items: { phone: string | null }[] }>('customers.search', {
        query: 'Client',
        limit: 50,
      });
      expect(customers.items.filter((c) => c.phone?.startsWith('+447'))).toHaveLength(12);

      // Undone from the history: asked first, then "Undone" with what went, and the customers are gone.
      await page.getByRole('button', { name: 'Import another file' }).click();
      const row = page.getByRole('row').filter({ hasText: 'uk-till.xlsx' });
      await row.getByRole('button', { name: 'Undo this import' }).click();
      expect(await row.textContent()).toContain('Remove what uk-till.xlsx added?');
      await page.screenshot({ path: join(tmpdir(), 'constintel-import-undo-asked.png'), fullPage: true });
      await row.getByRole('button', { name: 'Yes, undo it' }).click();
      await expect
        .poll(() => row.textContent(), { timeout: 30_000 })
        .toContain('Removed 12 sales and customer details and 12 customers.');
      expect(await row.textContent()).toContain('Undone');
      expect(await row.getByRole('button', { name: 'Undo this import' }).count()).toBe(0);
      const after = await rpcOf(app.server.launchUrl)<{ items: unknown[] }>('customers.search', {
        query: 'Client',
        limit: 50,
      });
      expect(after.items).toHaveLength(0);
      await page.screenshot({ path: join(tmpdir(), 'constintel-import-undone.png'), fullPage: true });
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
