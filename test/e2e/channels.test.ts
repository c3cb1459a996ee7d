/**
 * Settings → Channels in Chromium, against the headless server the CLI starts: fill in email for a real SMTP server
 * on loopback, save (the password is not sent back), "Send a test message", see the mail server's acceptance, and
 * the mail arrive with the shop's From. A wrong password then shows the server's refusal in words. Without
 * Chromium this file is skipped loudly; under CI=true it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInBrowser, skipBrowser, watchForProblems } from '../support/browser';
import { type SmtpPeer, smtpPeer } from '../support/provider-fakes';

describe.skipIf(skipBrowser)('Settings → Channels in Chromium', () => {
  const app = appInBrowser('constintel-e2e-channels-');
  let smtp: SmtpPeer;
  beforeAll(async () => {
    smtp = await smtpPeer({ users: { shop: 'mail-pass' } });
  });
  afterAll(() => smtp?.close());

  it('sets up email, sends a test message and the mail arrives', async () => {
    const problems: string[] = [];
    const context = await app.browser.newContext();
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(app.server.launchUrl);
    await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click();
    const email = page.getByRole('form', { name: 'Email' });
    await email
      .getByText(/^Not set up yet: the mail server \(host\), the port and the From address are missing\.$/)
      .waitFor();
    await expect.poll(() => email.getByRole('button', { name: 'Send a test message' }).isDisabled()).toBe(true);

    await email.getByLabel('Mail server').fill('127.0.0.1');
    await email.getByLabel('Port').fill(String(smtp.port));
    await email.getByLabel('Security').selectOption('none');
    await email.getByLabel('User name (if the server asks for one)').fill('shop');
    await email.getByLabel('Password').fill('mail-pass');
    await email.getByLabel('From address').fill('hello@corner-shop.test');
    await email.getByLabel('From name').fill('Corner Shop');
    await email.getByRole('button', { name: 'Save email' }).click();
    await email.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await email.getByText('Connected.', { exact: true }).waitFor();
    expect(await email.getByLabel('Password').inputValue()).toBe('');
    await email.getByText('A secret is saved — leave empty to keep it.').waitFor();

    await email.getByLabel('Send a test message to…').fill('owner@corner-shop.test');
    await email.getByRole('button', { name: 'Send a test message' }).click();
    await email
      .getByRole('status')
      .filter({ hasText: 'Sent: the mail server accepted the test message to owner@corner-shop.test.' })
      .waitFor();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.to).toEqual(['owner@corner-shop.test']);
    expect(smtp.mails[0]?.raw).toMatch(/^From: Corner Shop <hello@corner-shop\.test>\r?$/m);
    expect(smtp.mails[0]?.raw).toMatch(/^Subject: Test message from /m);

    // A wrong password: the server's refusal, in words, and nothing delivered.
    await email.getByLabel('Password').fill('not-it');
    await email.getByRole('button', { name: 'Save email' }).click();
    await email.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await email.getByRole('button', { name: 'Send a test message' }).click();
    await email
      .getByRole('alert')
      .filter({ hasText: /^Not sent: The mail server refused the user name or password\..*\(code 535\)$/ })
      .waitFor();
    expect(smtp.mails).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
