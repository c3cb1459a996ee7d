/**
 * Consent on Customer 360 in Chromium: a customer who said yes to WhatsApp through the event API; the owner records
 * that the customer asked to stop, sees the channel turn to "Asked to stop" with why offers cannot go, and the
 * history line saying what, when and from where. Without Chromium this file is skipped loudly; under CI=true it fails.
 */
import { describe, expect, it } from 'vitest';
import { appInBrowser, skipBrowser, watchForProblems } from '../support/browser';
import { rpcOf } from '../support/spawn';

describe.skipIf(skipBrowser)('Consent on Customer 360 in Chromium', () => {
  const app = appInBrowser('constintel-e2e-consent-');

  it('the owner changes a channel and sees the history line', async () => {
    const rpc = rpcOf(app.server.launchUrl);
    const { apiKey } = await rpc<{ apiKey: string }>('settings.apiKey', {});
    const response = await fetch(`${app.server.ingestUrl.replace(/\/$/, '')}/api/v1/events`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'profile_update',
        occurredAt: '2026-03-01T09:00:00Z',
        externalId: 'consent-e2e-1',
        identifiers: { email: 'ann.lee@example.com' },
        payload: { firstName: 'Ann', lastName: 'Lee', whatsappConsent: true },
      }),
    });
    expect(response.status).toBe(202);
    const { results } = (await response.json()) as { results: { profileId: number }[] };
    const id = results[0]?.profileId;

    const problems: string[] = [];
    const context = await app.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(app.server.launchUrl);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.goto(`${new URL(app.server.launchUrl).origin}/customers/${id}`);
    const section = page.getByTestId('consent');
    const whatsapp = section.getByTestId('consent-whatsapp');
    await whatsapp.getByText('Yes', { exact: true }).waitFor();
    await section
      .getByTestId('consent-history')
      .getByText(/from the shop’s own system/)
      .waitFor();

    await whatsapp.getByRole('button', { name: 'Change WhatsApp' }).click();
    await whatsapp.getByRole('button', { name: 'Customer asked to stop' }).click();
    await whatsapp.getByText('Asked to stop', { exact: true }).waitFor();
    await whatsapp.getByText(/Only their own yes can turn this back on/).waitFor();
    const line = section.getByTestId('consent-history').locator('li').first();
    await expect
      .poll(() => line.textContent())
      .toMatch(/WhatsApp: asked to stop\s*recorded by the shop: the customer said so/);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
