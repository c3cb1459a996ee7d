/**
 * Settings → Backups in Chromium, against the headless server the CLI starts: "Back up now" lists the new backup
 * with its kind and size; Restore restarts ConstIntel on it and the page comes back by itself, listing the backup
 * made of the file that was in use. Without Chromium this file is skipped loudly; under CI=true it fails.
 */
import { describe, expect, it } from 'vitest';
import { appInBrowser, skipBrowser, watchForProblems } from '../support/browser';

describe.skipIf(skipBrowser)('Settings → Backups in Chromium', () => {
  const app = appInBrowser('constintel-e2e-backups-');

  it('shows a backup after Back up now, and restores it', async () => {
    const problems: string[] = [];
    const context = await app.browser.newContext();
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(app.server.launchUrl);
    await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('group', { name: 'Backups' }).waitFor();
    await page.getByTestId('no-backups').waitFor();

    await page.getByRole('button', { name: 'Back up now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Saved constintel-.*-manual\.db/ })
      .waitFor();
    const rows = page.getByTestId('backups').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Made by hand\d+ KB/);

    await rows.first().getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('button', { name: 'Yes, restore it' }).click();
    await page.getByText(/ConstIntel is restarting on the backup/).waitFor();
    // The page reloads once the restarted app answers, and lists the backup made before the restore.
    await page.getByTestId('backups').getByText('Before a restore').waitFor({ timeout: 30_000 });
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByText(/^Restored .*constintel-.*-manual\.db: ConstIntel now works on it/).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
