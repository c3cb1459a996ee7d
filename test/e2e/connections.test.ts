/**
 * Settings → Connections in Chromium, against the headless server the CLI
 * starts: the webhook addresses to paste into Shopify and Meta, a store
 * connected (a wrong address shown next to its field), a test delivery that
 * shows in the delivery log and brings its customer into Customers, WhatsApp
 * secrets saved, no secret ever written into the page, and the shop's public
 * address (refused in words, saved, the Twilio addresses, the features it turns
 * on, and "Check it reaches this PC" through an https tunnel on loopback whose
 * certificate the server is told to trust). Without Chromium
 * this file is skipped loudly; under CI=true a missing Chromium fails.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { type HttpsPeer, publicTunnel, TUNNEL_CA } from '../support/public-tunnel';
import { type Served, serve } from '../support/spawn';

const FLOW_TIMEOUT = 90_000;
const SHOP = 'corner-shop.myshopify.com';
const SHOPIFY_SECRET = 'shpss_e2e-secret-3f9c1a7d5b';
const APP_SECRET = 'meta-app-secret-8d2e6b40c1';
const VERIFY_TOKEN = 'verify-token-51c7e9a2f4';

describe.skipIf(skipBrowser)('Connections in Chromium', () => {
  let browser: Browser;
  let server: Served;
  let origin: string;
  let ingest: string;
  const data = tempDir('constintel-e2e-connections-');
  const certs = tempDir('constintel-e2e-tunnel-ca-');
  let tunnel: HttpsPeer | undefined;
  const problems: string[] = [];

  const open = async (url: string): Promise<Page> => {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    return page;
  };

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  const toConnections = async (page: Page) => {
    await nav(page, 'Settings');
    await page.getByRole('link', { name: 'Connections: Shopify and WhatsApp →' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
  };

  const deliveryRows = (page: Page) =>
    page
      .getByRole('table', { name: 'Last deliveries' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });

  beforeAll(async () => {
    browser = await launchChromium();
    // The server trusts the test tunnel's self-signed certificate the way Node trusts any extra authority.
    const ca = join(certs.path, 'tunnel-ca.pem');
    writeFileSync(ca, TUNNEL_CA);
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0'], {
      NODE_EXTRA_CA_CERTS: ca,
    });
    origin = new URL(server.launchUrl).origin;
    ingest = server.ingestUrl.replace(/\/$/, '');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await tunnel?.close();
    data.remove();
    certs.remove();
  });

  it(
    'shows the webhook addresses, connects a Shopify store, and a test delivery reaches the log and Customers',
    async () => {
      const page = await open(server.launchUrl);
      await toConnections(page);
      expect(new URL(page.url()).pathname).toBe('/settings/connections');
      // The page lives under Settings: its link stays the highlighted one.
      const settingsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' });
      expect(await settingsLink.getAttribute('aria-current')).toBe('page');

      const shopify = page.getByRole('form', { name: 'Shopify' });
      const shopifyUrl = shopify.getByLabel('Webhook address for Shopify');
      const whatsappUrl = page.getByRole('form', { name: 'WhatsApp' }).getByLabel('Callback URL for WhatsApp');
      await expect.poll(() => shopifyUrl.inputValue()).toBe(`${ingest}/webhooks/shopify`);
      expect(await whatsappUrl.inputValue()).toBe(`${ingest}/webhooks/whatsapp`);
      expect(await shopify.textContent()).toContain('Cloudflare Tunnel or ngrok');
      await page.getByTestId('no-deliveries').waitFor();

      // Copy puts the exact address on the clipboard.
      await shopify.getByRole('button', { name: 'Copy Webhook address for Shopify' }).click();
      await shopify.getByRole('button', { name: 'Copied Webhook address for Shopify' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${ingest}/webhooks/shopify`);

      // Nothing to test before a store and its secret are saved.
      const test = shopify.getByRole('button', { name: 'Send a test delivery' });
      expect(await test.isDisabled()).toBe(true);

      // A wrong store address is shown next to its field.
      const domain = shopify.getByLabel('Store address');
      await domain.fill('corner-shop.example.com');
      await shopify.getByLabel("App's client secret").fill(SHOPIFY_SECRET);
      await shopify.getByRole('button', { name: 'Save store' }).click();
      await shopify.getByRole('alert').filter({ hasText: 'ends in .myshopify.com' }).waitFor();
      expect(await domain.getAttribute('aria-invalid')).toBe('true');
      expect(await test.isDisabled()).toBe(true);

      await domain.fill(SHOP);
      await shopify.getByRole('button', { name: 'Save store' }).click();
      await shopify.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await shopify.getByText('A secret is saved — leave empty to keep it').waitFor();
      expect(await domain.getAttribute('aria-invalid')).toBeNull();
      expect(await shopify.getByLabel("App's client secret").inputValue()).toBe('');

      await test.click();
      await shopify.getByRole('status').filter({ hasText: 'Received' }).waitFor();
      const received = deliveryRows(page).filter({ hasText: 'orders/create' }).filter({ hasText: 'Received' });
      await received.waitFor();
      expect(await received.count()).toBe(1);
      expect(await received.textContent()).toContain('Shopify');

      // A delivery with a wrong signature arrives while the page is open: the log picks it up by itself.
      const refused = await fetch(`${ingest}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': 'orders/paid',
          'X-Shopify-Shop-Domain': SHOP,
          'X-Shopify-Hmac-Sha256': 'bm90IHRoZSBzaWduYXR1cmU=',
        },
        body: JSON.stringify({ id: 1 }),
      });
      expect(refused.status).toBe(401);
      await deliveryRows(page)
        .filter({ hasText: 'orders/paid' })
        .filter({ hasText: 'Refused: wrong signature' })
        .waitFor({ timeout: 15_000 });
      expect(await deliveryRows(page).count()).toBe(2);

      // The test order's customer is in Customers.
      await shopify.getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
      await page.getByRole('searchbox', { name: 'Search' }).fill('test.customer@example.com');
      const customer = page.getByRole('table').getByRole('row').filter({ hasText: 'test.customer@example.com' });
      await customer.waitFor();
      expect(await customer.count()).toBe(1);

      // After a reload the secret is known to be saved but is nowhere in the page.
      await page.goto(`${origin}/settings/connections`);
      await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
      await shopify.getByText('A secret is saved — leave empty to keep it').waitFor();
      await expect.poll(() => domain.inputValue()).toBe(SHOP);
      await received.waitFor();
      expect(await page.content()).not.toContain(SHOPIFY_SECRET);
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'saves the WhatsApp secret and verify token without showing them again, and Meta’s handshake then works',
    async () => {
      const page = await open(server.launchUrl);
      await toConnections(page);
      const whatsapp = page.getByRole('form', { name: 'WhatsApp' });
      await whatsapp.getByLabel('Meta app secret').waitFor();
      expect(await whatsapp.getByText('A secret is saved').count()).toBe(0);
      await whatsapp.getByText('None seen yet').waitFor();
      await whatsapp.getByRole('button', { name: 'Save WhatsApp' }).click();
      await whatsapp.getByRole('status').filter({ hasText: 'Nothing typed, so nothing changed.' }).waitFor();

      await whatsapp.getByLabel('Meta app secret').fill(APP_SECRET);
      await whatsapp.getByLabel('Verify token').fill(VERIFY_TOKEN);
      await whatsapp.getByRole('button', { name: 'Save WhatsApp' }).click();
      await whatsapp.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await expect.poll(() => whatsapp.getByText('A secret is saved — leave empty to keep it').count()).toBe(2);
      expect(await page.content()).not.toContain(APP_SECRET);
      expect(await page.content()).not.toContain(VERIFY_TOKEN);

      const challenge = await fetch(
        `${ingest}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4711`,
      );
      expect(challenge.status).toBe(200);
      expect(await challenge.text()).toBe('4711');

      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
      await expect.poll(() => whatsapp.getByText('A secret is saved — leave empty to keep it').count()).toBe(2);
      const html = await page.content();
      expect(html).not.toContain(APP_SECRET);
      expect(html).not.toContain(VERIFY_TOKEN);
      expect(html).not.toContain(SHOPIFY_SECRET);
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'saves the public address, shows the Twilio addresses and what it turns on, and checks it reaches this PC',
    async () => {
      tunnel = await publicTunnel(ingest);
      const page = await open(server.launchUrl);
      await toConnections(page);
      const form = page.getByRole('form', { name: 'Public address' });
      const features = form.getByRole('list', { name: 'What needs it' }).getByRole('listitem');
      await expect
        .poll(() => features.allTextContents())
        .toEqual([
          expect.stringMatching(/^Twilio delivery reports: off: Needs the shop’s public address/),
          expect.stringMatching(/^Replies by SMS: off: Needs the shop’s public address/),
          expect.stringMatching(/^One-click unsubscribe: off: Needs the shop’s public address/),
        ]);
      const check = form.getByRole('button', { name: 'Check it reaches this PC' });
      expect(await check.isDisabled()).toBe(true);

      const field = form.getByLabel('The shop’s public address');
      await field.fill('http://corner-shop.example.com');
      await form.getByRole('button', { name: 'Save address' }).click();
      await form.getByRole('alert').filter({ hasText: 'must start with https://' }).waitFor();
      expect(await field.getAttribute('aria-invalid')).toBe('true');

      await field.fill(`${tunnel.url}/`);
      await form.getByRole('button', { name: 'Save address' }).click();
      await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect(await field.getAttribute('aria-invalid')).toBeNull();
      expect(await form.getByLabel('Twilio: “A message comes in” (HTTP POST)').inputValue()).toBe(
        `${tunnel.url}/webhooks/twilio/sms`,
      );
      expect(await form.getByLabel('Twilio: status callback').inputValue()).toBe(
        `${tunnel.url}/webhooks/twilio/status`,
      );
      expect(await features.allTextContents()).toEqual([
        'Twilio delivery reports: off: Twilio is not connected: set up SMS in Settings → Channels.',
        'Replies by SMS: off: Twilio is not connected: set up SMS in Settings → Channels.',
        'One-click unsubscribe: on',
      ]);

      await check.click();
      await form
        .getByTestId('reach-check')
        .filter({ hasText: `It reaches this PC: ${tunnel.url} answered from this very ConstIntel.` })
        .waitFor();

      // A tunnel that has stopped: said in words.
      await tunnel.close();
      tunnel = undefined;
      await check.click();
      await form
        .getByTestId('reach-check')
        .filter({ hasText: 'It does not reach this PC. Nothing accepted' })
        .waitFor();

      await field.fill('');
      await form.getByRole('button', { name: 'Save address' }).click();
      await form.getByRole('status').filter({ hasText: 'Cleared.' }).waitFor();
      expect(await form.getByLabel('Twilio: status callback').count()).toBe(0);
      await page.context().close();
      expect(problems).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
