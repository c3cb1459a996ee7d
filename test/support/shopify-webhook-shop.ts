/**
 * A listening backend with one Shopify store connected, and signed deliveries to it: what the Shopify webhook test
 * files start from. `shopifyWebhookShop()` registers its own beforeAll/afterAll.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Backend } from '../../main/core/backend';
import { shopifySignature } from '../../main/core/http/shopify-receiver';
import { webhooksOf } from '../../main/core/ingest/webhook-batcher';
import { tempDir, testBackend } from './backend';

export const SECRET = 'shpss_test_secret_0123456789';
export const SHOP = 'corner-shop.myshopify.com';

export interface DeliveryOptions {
  eventId?: string;
  webhookId?: string;
  secret?: string;
  shop?: string;
  tamper?: boolean;
  signature?: string | null;
}

export interface ShopifyWebhookShop {
  readonly backend: Backend;
  readonly dataDir: string;
  /** Sends a signed delivery; resolves once it is answered and its events are read. */
  deliver(topic: string, payload: unknown, options?: DeliveryOptions): Promise<Response>;
  count(sql: string, ...params: unknown[]): number;
  profileOf(email: string): Promise<CustomerView>;
}

type CustomerView = Extract<Awaited<ReturnType<typeof callGet>>, { status: 'found' }>['customer'];
const callGet = (backend: Backend, id: number) => backend.call('customers.get', { id });

export function shopifyWebhookShop(): ShopifyWebhookShop {
  let backend: Backend | undefined;
  let url = '';
  let sequence = 0;
  const dir = tempDir();
  const running = (): Backend => {
    if (!backend) throw new Error('the shop starts in beforeAll');
    return backend;
  };
  beforeAll(async () => {
    backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0 });
    await backend.call('settings.update', { defaultCountry: 'GB', currency: 'GBP' });
    await backend.call('connections.saveShopify', {
      shopDomain: `https://${SHOP.toUpperCase()}/admin`,
      secret: SECRET,
    });
    url = `${backend.runtime.ingest.url}/webhooks/shopify`;
  });
  afterAll(async () => {
    await backend?.close();
    dir.remove();
  });
  return {
    get backend() {
      return running();
    },
    dataDir: dir.path,
    deliver(topic, payload, options = {}) {
      sequence += 1;
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-shop-domain': options.shop ?? SHOP,
        'x-shopify-api-version': '2025-10',
        'x-shopify-event-id': options.eventId ?? `evt-${sequence}`,
        'x-shopify-webhook-id': options.webhookId ?? `wh-${sequence}`,
        'x-shopify-triggered-at': '2026-03-01T10:00:05Z',
      };
      const signature =
        options.signature === undefined ? shopifySignature(options.secret ?? SECRET, body) : options.signature;
      if (signature !== null) headers['x-shopify-hmac-sha256'] = signature;
      return fetch(url, { method: 'POST', headers, body: options.tamper ? body.replace('42.50', '4.25') : body }).then(
        // The answer comes once the delivery is stored; its events follow straight after.
        async (response) => {
          await webhooksOf(running().ctx).whenRead();
          return response;
        },
      );
    },
    count: (sql, ...params) =>
      running()
        .db.sqlite.prepare(sql)
        .pluck()
        .get(...params) as number,
    async profileOf(email) {
      const { items } = await running().call('customers.search', { query: email });
      const [first] = items;
      if (!first) throw new Error(`no customer ${email}`);
      const view = await callGet(running(), first.id);
      if (view.status !== 'found') throw new Error('merged');
      return view.customer;
    },
  };
}

/** A Shopify order for Ann Lee: two line items, 42.50 GBP, email consent. */
export const order = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `#${1000 + (id % 1000)}`,
  email: 'Ann.Lee@Example.com',
  phone: null,
  created_at: '2026-03-01T10:00:00+00:00',
  processed_at: '2026-03-01T10:00:01+00:00',
  updated_at: '2026-03-01T10:00:02+00:00',
  cancelled_at: null,
  total_price: '42.50',
  currency: 'GBP',
  customer: {
    id: 7001,
    email: 'ann.lee@example.com',
    phone: '+447700900123',
    first_name: 'Ann',
    last_name: 'Lee',
    email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in' },
    sms_marketing_consent: { state: 'not_subscribed' },
  },
  billing_address: { phone: '07700 900123', first_name: 'Ann', last_name: 'Lee' },
  shipping_address: null,
  line_items: [
    {
      id: 1,
      product_id: 11,
      variant_id: 111,
      sku: 'TEA-1',
      title: 'Earl Grey',
      quantity: 2,
      price: '15.00',
      product_type: 'Tea',
    },
    { id: 2, product_id: 12, variant_id: 121, sku: 'MUG-1', title: 'Mug', quantity: 1, price: '12.50' },
  ],
  ...extra,
});
