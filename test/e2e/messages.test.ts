/**
 * Messages in Chromium, against the headless server the CLI starts with its clock set to a Monday morning
 * (CONSTINTEL_CLOCK_START, so quiet hours never hold the message whatever the hour the test runs): email set up in
 * Settings → Channels against a real SMTP server on loopback, a template written on the Templates page (a field
 * inserted with its button), a customer with an email yes from the event API; on Customer 360 the preview with the
 * fields filled, the cost and "Goes now", Send, the message "Accepted by the mail server" in "Messages to them" and
 * on the Messages page (no sideways scroll at 1280×720), and the mail at the SMTP server with the fields filled.
 * Then "Pause all sending": the next message is held with the reason, and goes out when sending is back on. And the
 * Templates page refuses an unknown field or a bad approved name beside the field, an empty fallback, and deletes.
 * Last, a WhatsApp reply inside the customer's 24-hour window (no yes needed) at the shop's price, to a Graph fake.
 * Without Chromium this file is skipped loudly; under CI=true it fails.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { type ProviderFake, providerFake, type SmtpPeer, smtpPeer } from '../support/provider-fakes';
import { rpcOf, type Served, serve } from '../support/spawn';
import { whatsappDelivery, whatsappSignature } from '../support/whatsapp-delivery';

/** Set CONSTINTEL_E2E_SHOTS to a folder to keep screenshots of what this file checks, at 1280×720 and 1024×768. */
const shot = async (page: Page, name: string, what?: Locator) => {
  const dir = process.env.CONSTINTEL_E2E_SHOTS;
  if (!dir) return;
  const before = page.viewportSize();
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1024, height: 768 },
  ]) {
    await page.setViewportSize(size);
    await what?.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${dir}/${name}-${size.width}.png` });
  }
  if (before) await page.setViewportSize(before);
};

/** Monday 2 March 2026, 11:00 in London: inside the 08:00–21:00 sending window. */
const CLOCK_START = '2026-03-02T11:00:00Z';

describe.skipIf(skipBrowser)('Messages in Chromium', () => {
  const data = tempDir('constintel-e2e-messages-');
  let browser: Browser;
  let server: Served;
  let smtp: SmtpPeer;
  let graph: ProviderFake;
  /** When the server's clock read CLOCK_START, by this process's clock. */
  let startedAt = 0;
  let customerId: number;
  const problems: string[] = [];

  beforeAll(async () => {
    smtp = await smtpPeer();
    graph = await providerFake(() => ({
      status: 200,
      json: { messaging_product: 'whatsapp', messages: [{ id: `wamid.out-${Date.now()}` }] },
    }));
    browser = await launchChromium();
    startedAt = Date.now();
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0'], {
      CONSTINTEL_CLOCK_START: CLOCK_START,
      CONSTINTEL_WHATSAPP_API_URL: graph.url,
    });
    const rpc = rpcOf(server.launchUrl);
    await rpc('settings.update', { brandName: 'Corner Shop', timeZone: 'Europe/London', defaultCountry: 'GB' });
    const { apiKey } = await rpc<{ apiKey: string }>('settings.apiKey', {});
    const response = await fetch(`${server.ingestUrl.replace(/\/$/, '')}/api/v1/events`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'profile_update',
        occurredAt: '2026-03-01T09:00:00Z',
        externalId: 'messages-e2e-1',
        identifiers: { email: 'ann.lee@example.com' },
        payload: { firstName: 'Ann', lastName: 'Lee', emailConsent: true },
      }),
    });
    expect(response.status).toBe(202);
    const { results } = (await response.json()) as { results: { profileId: number }[] };
    customerId = results[0]?.profileId ?? 0;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    await graph?.close();
    data.remove();
  });

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  const openCustomer = async (page: Page) => {
    await page.goto(`${new URL(server.launchUrl).origin}/customers/${customerId}`);
    await page.getByRole('heading', { level: 1, name: 'Ann Lee' }).waitFor();
  };

  it('says the clock is injected when it starts', () => {
    expect(server.output()).toContain(
      `Warning: the clock is set by CONSTINTEL_CLOCK_START: it started at 2026-03-02T11:00:00.000Z and is not this PC's time.`,
    );
  });

  it('sends a templated email from Customer 360 with a preview; it is accepted and the mail arrives filled in', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);

    // Settings → Channels: email through the SMTP server on loopback.
    await nav(page, 'Settings');
    const email = page.getByRole('form', { name: 'Email' });
    await email.getByLabel('Mail server').fill('127.0.0.1');
    await email.getByLabel('Port').fill(String(smtp.port));
    await email.getByLabel('Security').selectOption('none');
    await email.getByLabel('From address').fill('hello@corner-shop.test');
    await email.getByLabel('From name').fill('Corner Shop');
    await email.getByRole('button', { name: 'Save email' }).click();
    await email.getByText('Connected.', { exact: true }).waitFor();

    // Settings → Channels → Message templates: a new email template, one field inserted with its button.
    await page.getByRole('link', { name: /^Message templates/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Message templates' }).waitFor();
    await page.getByTestId('no-templates').waitFor();
    await page.getByRole('button', { name: 'New template' }).click();
    const editor = page.getByRole('form', { name: 'Template' });
    await editor.getByLabel('Name', { exact: true }).fill('We miss you');
    await editor.getByLabel('Channel', { exact: true }).selectOption('email');
    await editor.getByLabel('Subject').fill('We miss you, ');
    await editor.getByRole('button', { name: '{{first_name}}', exact: true }).click();
    await expect.poll(() => editor.getByLabel('Subject').inputValue()).toBe('We miss you, {{first_name}}');
    await editor
      .getByLabel('Message', { exact: true })
      .fill('Hi {{first_name}}, come and see what is new at {{shop_name}}.');
    await editor.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('status').filter({ hasText: 'Template “We miss you” saved.' }).waitFor();
    await page.getByRole('cell', { name: 'We miss you, {{first_name}}' }).waitFor();

    // Customer 360 → Send a message: email chosen, the template, the preview, the cost and what will happen.
    await openCustomer(page);
    const send = page.getByRole('form', { name: 'Send a message' });
    await expect.poll(() => send.getByLabel('Email to ann.lee@example.com').isChecked()).toBe(true);
    expect(await send.getByLabel('SMS', { exact: false }).isDisabled()).toBe(true);
    await send.getByText('SMS is not connected: set it up in Settings → Channels.').waitFor();
    expect(await send.getByLabel('Template', { exact: true }).inputValue()).not.toBe('');
    const preview = send.getByTestId('preview');
    await expect.poll(() => preview.getByTestId('preview-subject').textContent()).toBe('We miss you, Ann');
    expect(await preview.getByTestId('preview-text').textContent()).toBe(
      'Hi Ann, come and see what is new at Corner Shop.',
    );
    await preview.getByText("Every field is filled from this customer's details.").waitFor();
    expect(await preview.getByTestId('preview-cost').textContent()).toBe('Cost: free (through your mail server)');
    expect(await preview.getByTestId('preview-verdict').textContent()).toBe('What will happen: Goes now.');
    await send.getByRole('button', { name: 'Send' }).click();
    await send.getByRole('status').filter({ hasText: 'Sent to the outbox: it goes now.' }).waitFor();

    // "Messages to them": accepted by the mail server.
    const mine = page.getByTestId('customer-messages');
    await mine.getByText('Accepted by the mail server').waitFor({ timeout: 20_000 });
    await mine.getByText('Email to ann.lee@example.com: We miss you, Ann').waitFor();

    // The SMTP server received it, fields filled, never a {{…}}.
    await expect.poll(() => smtp.mails.length, { timeout: 10_000 }).toBe(1);
    const mail = smtp.mails[0];
    expect(mail?.to).toEqual(['ann.lee@example.com']);
    expect(mail?.raw).toMatch(/^Subject: We miss you, Ann\r?$/m);
    expect(mail?.raw).toMatch(/^From: Corner Shop <hello@corner-shop\.test>\r?$/m);
    expect(mail?.raw).toContain('Hi Ann, come and see what is new at Corner Shop.');
    expect(mail?.raw).not.toContain('{{');

    // The Messages page: the same message, and no sideways page scroll at 1280 px.
    await nav(page, 'Messages');
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    const row = page.getByTestId('messages').locator('tbody tr').first();
    await row.getByText('Accepted by the mail server').waitFor();
    await row.getByText('ann.lee@example.com').waitFor();
    await row.getByText('We miss you, Ann').waitFor();
    expect(await row.getByRole('link', { name: 'Ann Lee' }).getAttribute('href')).toBe(`/customers/${customerId}`);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    await page.getByLabel('Show').selectOption('failed');
    await page.getByTestId('no-messages').getByText('No message is “Failed” right now.').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('holds messages while sending is paused, and sends them when it is back on', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await nav(page, 'Settings');
    const controls = page.getByRole('form', { name: 'Cost and pace of sending' });
    await controls.getByRole('switch', { name: 'Pause all sending' }).check();
    await controls.getByRole('status').filter({ hasText: 'Sending paused.' }).waitFor();
    await controls.getByText(/^Sending is paused\. .*none are lost/).waitFor();
    // A price written with a comma, a daily limit; a bad rate is refused beside its field, in words.
    await controls.getByLabel('SMS price per message').fill('0,05');
    await controls.getByLabel('Email daily limit').fill('500');
    await controls.getByLabel('Email messages per second').fill('fast');
    await controls.getByRole('button', { name: 'Save limits and prices' }).click();
    await controls.getByRole('alert').filter({ hasText: 'Email: Messages per second must be a number' }).waitFor();
    expect(await controls.getByLabel('Email messages per second').getAttribute('aria-invalid')).toBe('true');
    await controls.getByLabel('Email messages per second').fill('5');
    await controls.getByRole('button', { name: 'Save limits and prices' }).click();
    await controls.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await controls.getByLabel('SMS price per message').inputValue()).toBe('0.05');
    // The SMS test message says what it costs at that price.
    await page
      .getByRole('form', { name: 'SMS' })
      .getByText(/It costs \D*0\.05, your price per message \(below\)\.$/)
      .waitFor();

    await openCustomer(page);
    const send = page.getByRole('form', { name: 'Send a message' });
    await send.getByLabel('My own text').check();
    await send.getByLabel('Subject', { exact: true }).fill('Open on Sunday');
    await send.getByLabel('Text', { exact: true }).fill('Hello {{first_name}}, we are open this Sunday.');
    await send
      .getByTestId('preview-verdict')
      .getByText('What will happen: Held while sending is paused (Settings → Channels).', { exact: false })
      .waitFor();
    await send.getByRole('button', { name: 'Send' }).click();
    await send.getByRole('status').filter({ hasText: 'Written, and held while sending is paused' }).waitFor();
    const mine = page.getByTestId('customer-messages');
    const held = mine.locator('li').filter({ hasText: 'Open on Sunday' });
    await held.getByText('Held', { exact: true }).waitFor();
    await held.getByText('Sending is paused (Settings → Channels)').waitFor();
    expect(smtp.mails).toHaveLength(1);

    await nav(page, 'Messages');
    await page.getByTestId('sending-paused').waitFor();
    await nav(page, 'Settings');
    await page.getByRole('switch', { name: 'Pause all sending' }).uncheck();
    await page.getByRole('status').filter({ hasText: 'Sending is back on' }).waitFor();
    await expect.poll(() => smtp.mails.length, { timeout: 20_000 }).toBe(2);
    expect(smtp.mails[1]?.raw).toContain('Hello Ann, we are open this Sunday.');
    await nav(page, 'Messages');
    await page
      .getByTestId('messages')
      .locator('tbody tr')
      .filter({ hasText: 'Open on Sunday' })
      .getByText('Accepted by the mail server')
      .waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
  it('refuses a price or limit it cannot read, follows the currency, and says a message held by the daily limit is held', async () => {
    const rpc = rpcOf(server.launchUrl);
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await nav(page, 'Settings');
    const controls = page.getByRole('form', { name: 'Cost and pace of sending' });
    const save = () => controls.getByRole('button', { name: 'Save limits and prices' }).click();
    expect(await controls.getByLabel('SMS price per message').inputValue()).toBe('0.05');

    // What cannot be read is said beside its field; nothing is saved and the stored value stays.
    for (const [label, typed, words] of [
      ['WhatsApp price per message', '£0.05', 'WhatsApp price: give a number such as 0.05, without the currency sign'],
      ['SMS price per message', 'abc', 'SMS price: give a number such as 0.05, without the currency sign'],
      ['SMS price per message', '1e3', 'SMS price: give a number such as 0.05'],
      ['SMS price per message', '-1', 'SMS price: give a number such as 0.05'],
      ['Email daily limit', '-3', 'Email daily limit: give a whole number of messages'],
      ['Email daily limit', '2.5', 'Email daily limit: give a whole number of messages'],
    ] as const) {
      const field = controls.getByLabel(label);
      const before = await field.inputValue();
      await field.fill(typed);
      await save();
      await controls.getByRole('alert').filter({ hasText: words }).waitFor();
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await controls.getByRole('status').count()).toBe(0);
      await shot(page, `sending-controls-error-${label.split(' ')[0]}`, controls.getByRole('alert'));
      await field.fill(before);
      expect(await controls.getByRole('alert').count()).toBe(0);
    }
    const stored = await rpc<{ messagePrices: object; dailyCaps: { email: number | null } }>('settings.get', {});
    expect(stored.messagePrices).toEqual({ sms: 0.05, whatsapp: null });
    expect(stored.dailyCaps.email).toBe(500);

    // The currency, saved in the Settings form above: the cost table says it at once.
    await page.getByLabel('Currency', { exact: true }).selectOption('EUR');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await controls.getByRole('columnheader', { name: 'Price per message (EUR)' }).waitFor();
    await shot(page, 'sending-controls-currency', controls.getByRole('columnheader', { name: /^Price per message/ }));

    // A daily limit of 2 emails: two went today, so the next one is held — and the note after Send says so.
    await controls.getByLabel('Email daily limit').fill('2');
    await save();
    await controls.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await openCustomer(page);
    const send = page.getByRole('form', { name: 'Send a message' });
    await send.getByLabel('My own text').check();
    await send.getByLabel('Subject', { exact: true }).fill('Open on Tuesday');
    await send.getByLabel('Text', { exact: true }).fill('Hello {{first_name}}. {{unsubscribe_link}}');
    const preview = send.getByTestId('preview');
    await expect
      .poll(() => preview.getByTestId('preview-verdict').textContent())
      .toBe('What will happen: Held until tomorrow: daily limit of 2 email messages reached (Settings → Channels).');
    // No link without the shop's public address: the note says so, not "no value for this customer".
    expect(await preview.getByTestId('preview-fellback').textContent()).toMatch(
      /^\{\{unsubscribe_link\}\}: the unsubscribe link needs your shop’s public address \(Settings → Connections\)/,
    );
    await send.getByRole('button', { name: 'Send' }).click();
    const note = send.getByTestId('sent-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(
      /^Written, and held until tomorrow: daily limit of 2 email messages reached \(Settings → Channels\)\. It goes by itself/,
    );
    await shot(page, 'send-message-held', note);

    // The Messages page at 1280 and 1024 px: every cost whole, the table inside its box, no sideways page scroll.
    await nav(page, 'Messages');
    await page.getByTestId('messages').locator('tbody tr').filter({ hasText: 'Open on Tuesday' }).waitFor();
    await shot(page, 'messages');
    for (const width of [1280, 1024]) {
      await page.setViewportSize({ width, height: width === 1280 ? 720 : 768 });
      const fit = await page.evaluate(() => {
        const box = document.querySelector('.table-scroll') as HTMLElement;
        const cells = [...document.querySelectorAll<HTMLElement>('table.messages td')];
        return {
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          box: box.scrollWidth - box.clientWidth,
          clipped: cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent),
        };
      });
      expect(fit).toEqual({ page: 0, box: 0, clipped: [] });
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('refuses a template with an unknown field or a bad approved name beside the field, and deletes one', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await nav(page, 'Settings');
    await page.getByRole('link', { name: /^Message templates/ }).click();
    await page.getByRole('button', { name: 'New template' }).click();
    const editor = page.getByRole('form', { name: 'Template' });
    await editor.getByLabel('Name', { exact: true }).fill('Spring offer');
    await editor.getByLabel('Channel', { exact: true }).selectOption('whatsapp');
    expect(await editor.getByLabel('Subject', { exact: true }).count()).toBe(0);
    await editor.getByLabel('Message', { exact: true }).fill('Hi {{frist_name}}, spring is here!');
    await editor.getByRole('button', { name: 'Save template' }).click();
    await editor
      .getByRole('alert')
      .filter({ hasText: 'The message uses the field {{frist_name}}, which ConstIntel does not know.' })
      .waitFor();
    expect(await editor.getByLabel('Message', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await editor.getByLabel('Message', { exact: true }).fill('Hi {{first_name}}, spring is here!');
    await editor.getByLabel('This message has an approved template').check();
    await editor.getByLabel('Approved template name (as Meta shows it)').fill('Spring Offer');
    await editor.getByLabel('Language code').fill('en_GB');
    await editor.getByRole('button', { name: 'Add a parameter' }).click();
    await editor.getByRole('button', { name: 'Save template' }).click();
    await editor
      .getByRole('alert')
      .filter({ hasText: /only lower-case letters, digits and _/ })
      .waitFor();
    expect(await editor.getByLabel('Approved template name (as Meta shows it)').getAttribute('aria-invalid')).toBe(
      'true',
    );
    await editor.getByLabel('Approved template name (as Meta shows it)').fill('spring_offer');
    await editor.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('status').filter({ hasText: 'Template “Spring offer” saved.' }).waitFor();
    await page.getByText('approved: spring_offer').waitFor();

    // A fallback cannot be emptied: it is what the customer reads.
    const fallbacks = page.getByRole('form', { name: 'When a customer has no value' });
    await fallbacks.getByLabel(/Instead of \{\{first_name\}\}/).fill('');
    await fallbacks.getByRole('button', { name: 'Save fallback texts' }).click();
    await fallbacks.getByRole('alert').filter({ hasText: 'A fallback cannot be empty' }).waitFor();
    await fallbacks.getByLabel(/Instead of \{\{first_name\}\}/).fill('friend');
    await fallbacks.getByRole('button', { name: 'Save fallback texts' }).click();
    await fallbacks.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    await page.getByRole('button', { name: 'Delete Spring offer' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByRole('status').filter({ hasText: 'Template “Spring offer” deleted.' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Spring offer' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("replies on WhatsApp inside the customer's 24-hour window, without their yes, at the shop's price", async () => {
    const rpc = rpcOf(server.launchUrl);
    await rpc('connections.saveWhatsApp', { appSecret: 'meta-app-secret', verifyToken: 'verify-me' });
    await rpc('channels.saveWhatsApp', { phoneNumberId: '1234567890', accessToken: 'EAAtoken' });
    await rpc('settings.update', { messagePrices: { sms: null, whatsapp: 0.05 } });
    const { apiKey } = await rpc<{ apiKey: string }>('settings.apiKey', {});
    const created = await fetch(`${server.ingestUrl.replace(/\/$/, '')}/api/v1/events`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'profile_update',
        occurredAt: '2026-03-01T09:00:00Z',
        externalId: 'messages-e2e-2',
        identifiers: { phone: '+447700900123' },
        payload: { firstName: 'Bob', lastName: 'Stone' },
      }),
    });
    const bob = ((await created.json()) as { results: { profileId: number }[] }).results[0]?.profileId;
    // Bob writes to the shop on WhatsApp "now" by the server's clock: the 24-hour window opens.
    const now = Date.parse(CLOCK_START) + (Date.now() - startedAt);
    const body = JSON.stringify(
      whatsappDelivery({
        contacts: [{ profile: { name: 'Bob Stone' }, wa_id: '447700900123' }],
        messages: [
          {
            from: '447700900123',
            id: 'wamid.in-1',
            timestamp: String(Math.floor(now / 1000)),
            type: 'text',
            text: { body: 'Are you open on Sunday?' },
          },
        ],
      }),
    );
    const delivered = await fetch(`${server.ingestUrl.replace(/\/$/, '')}/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': whatsappSignature(body, 'meta-app-secret'),
      },
      body,
    });
    expect(delivered.status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.goto(`${new URL(server.launchUrl).origin}/customers/${bob}`);
    await page.getByRole('heading', { level: 1, name: 'Bob Stone' }).waitFor();
    const send = page.getByRole('form', { name: 'Send a message' });
    expect(await send.getByLabel(/Email/).isDisabled()).toBe(true);
    const whatsapp = send.getByLabel(/WhatsApp to \+447700900123 · \D*0\.05/);
    expect(await whatsapp.isDisabled()).toBe(false);
    await send.getByText(/^Only as a reply to their own message \(no offers\): /).waitFor();
    await whatsapp.check();
    await send.getByLabel('My own text').check();
    await send.getByLabel('Text', { exact: true }).fill('Yes {{first_name}}, from 10 to 4.');
    const preview = send.getByTestId('preview');
    await expect.poll(() => preview.getByTestId('preview-text').textContent()).toBe('Yes Bob, from 10 to 4.');
    await expect.poll(() => preview.getByTestId('preview-cost').textContent()).toMatch(/^Cost: \D*0\.05$/);
    expect(await preview.getByTestId('preview-verdict').textContent()).toBe('What will happen: Goes now.');
    await send.getByRole('button', { name: 'Send' }).click();
    await send.getByRole('status').filter({ hasText: 'Sent to the outbox: it goes now.' }).waitFor();
    const mine = page.getByTestId('customer-messages');
    await mine.getByText('Sent', { exact: true }).waitFor({ timeout: 20_000 });
    await mine.getByText(/· \D*0\.05$/).waitFor();
    const sent = graph.requests.map((r) => JSON.parse(r.body) as { type: string; to: string; text?: { body: string } });
    expect(sent).toEqual([
      expect.objectContaining({ type: 'text', text: expect.objectContaining({ body: 'Yes Bob, from 10 to 4.' }) }),
    ]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
