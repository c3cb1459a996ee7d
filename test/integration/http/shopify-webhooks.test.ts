import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { sweepAbandonedCheckouts } from '../../../main/core/ingest/ingest-service';
import { order, SECRET, SHOP, shopifyWebhookShop } from '../../support/shopify-webhook-shop';

const shop = shopifyWebhookShop();
const { deliver, count, profileOf } = shop;
let backend: Backend;
beforeAll(() => {
  backend = shop.backend;
});

describe('POST /webhooks/shopify', () => {
  it('orders/create becomes a purchase with items, totals, currency, consent and the customer', async () => {
    const response = await deliver('orders/create', order(5001));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, duplicate: false });
    const ann = await profileOf('ann.lee@example.com');
    expect(ann).toMatchObject({
      name: 'Ann Lee',
      lifetimeValue: 42.5,
      totalOrders: 1,
      consent: { email: true, sms: false },
    });
    expect(ann.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual([
      'email:ann.lee@example.com',
      'phone:+447700900123',
      'shopify_customer_id:7001',
    ]);
    const timeline = await backend.call('customers.timeline', { id: ann.id });
    expect(timeline.events[0]).toMatchObject({
      type: 'purchase',
      source: 'shopify',
      summary: 'Bought 3 items for £42.50 (order 5001)',
    });
    expect(timeline.events[0]?.payload.items).toEqual([
      { sku: 'TEA-1', title: 'Earl Grey', category: 'Tea', quantity: 2, price: 15 },
      { sku: 'MUG-1', title: 'Mug', quantity: 1, price: 12.5 },
    ]);
  });

  it('orders/paid for the same order does not count it twice', async () => {
    expect((await deliver('orders/paid', order(5001))).status).toBe(200);
    expect(await profileOf('ann.lee@example.com')).toMatchObject({ lifetimeValue: 42.5, totalOrders: 1 });
  });

  it('a repeated delivery, also several at the same moment, is stored once', async () => {
    const payload = order(5002);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => deliver('orders/create', payload, { eventId: 'evt-same', webhookId: 'wh-same' })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { duplicate: boolean }[];
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    // The older retry-constant webhook id alone also marks a repeat.
    expect(
      await (await deliver('orders/create', payload, { eventId: 'evt-other', webhookId: 'wh-same' })).json(),
    ).toMatchObject({
      duplicate: true,
    });
    expect(count("SELECT count(*) FROM customer_raw_event WHERE external_id = 'orders/create:5002'")).toBe(1);
    expect(count("SELECT count(*) FROM webhook_delivery WHERE outcome = 'duplicate'")).toBe(5);
    expect(await profileOf('ann.lee@example.com')).toMatchObject({ lifetimeValue: 85, totalOrders: 2 });
  });

  it('refunds/create lowers lifetime value on the customer of that order', async () => {
    const refund = {
      id: 9001,
      order_id: 5002,
      created_at: '2026-03-02T09:00:00+00:00',
      transactions: [{ id: 1, amount: '10.00', kind: 'refund', status: 'success' }],
      refund_line_items: [{ subtotal: 10 }],
    };
    expect((await deliver('refunds/create', refund)).status).toBe(200);
    expect(await profileOf('ann.lee@example.com')).toMatchObject({ lifetimeValue: 75, totalOrders: 2 });
  });

  it('a refund that arrives before its order joins the customer when the order lands', async () => {
    const early = {
      id: 9101,
      order_id: 5901,
      created_at: '2026-03-02T09:00:00+00:00',
      refund_line_items: [{ subtotal: 2.5 }],
    };
    expect(await (await deliver('refunds/create', early)).json()).toMatchObject({ ok: true });
    expect(
      count(
        "SELECT count(*) FROM customer_raw_event WHERE external_id = 'refunds/create:9101' AND customer_profile_id IS NULL",
      ),
    ).toBe(1);
    const customer = { id: 7301, email: 'early@example.com', first_name: 'Eli' };
    expect((await deliver('orders/create', order(5901, { email: 'early@example.com', customer }))).status).toBe(200);
    expect(await profileOf('early@example.com')).toMatchObject({ lifetimeValue: 40, totalOrders: 1 });
  });

  it('orders/cancelled removes the order', async () => {
    expect((await deliver('orders/cancelled', order(5001, { cancelled_at: '2026-03-01T18:00:00+00:00' }))).status).toBe(
      200,
    );
    expect(await profileOf('ann.lee@example.com')).toMatchObject({ lifetimeValue: 32.5, totalOrders: 1 });
  });

  it('customers/update changes names and consent on the same customer', async () => {
    const customer = {
      id: 7001,
      email: 'ann.lee@example.com',
      phone: '+447700900123',
      first_name: 'Annie',
      last_name: 'Lee',
      created_at: '2026-01-01T00:00:00+00:00',
      updated_at: '2026-03-01T20:00:00+00:00',
      email_marketing_consent: { state: 'unsubscribed' },
      sms_marketing_consent: { state: 'subscribed' },
    };
    expect((await deliver('customers/update', customer)).status).toBe(200);
    expect(await profileOf('ann.lee@example.com')).toMatchObject({
      name: 'Annie Lee',
      consent: { email: false, sms: true },
    });
  });

  it('an unknown topic is stored as received and acknowledged', async () => {
    const before = count('SELECT count(*) FROM customer_raw_event');
    const response = await deliver('products/update', { id: 1, title: 'Tea' });
    expect(response.status).toBe(200);
    expect(count('SELECT count(*) FROM customer_raw_event')).toBe(before);
    const [latest] = await backend.call('connections.deliveries', { limit: 1 });
    expect(latest).toMatchObject({ topic: 'products/update', outcome: 'accepted', eventCount: 0 });
    expect(count("SELECT count(*) FROM webhook_delivery WHERE topic = 'products/update' AND body LIKE '%Tea%'")).toBe(
      1,
    );
  });

  it('wrong secret, tampered body, missing signature, unknown store → 401 and nothing stored but a log row', async () => {
    const before = count('SELECT count(*) FROM customer_raw_event');
    const payload = order(5100, { email: 'mallory@example.com' });
    expect((await deliver('orders/create', payload, { secret: 'wrong' })).status).toBe(401);
    expect((await deliver('orders/create', payload, { tamper: true })).status).toBe(401);
    expect((await deliver('orders/create', payload, { signature: null })).status).toBe(401);
    expect((await deliver('orders/create', payload, { shop: 'other.myshopify.com' })).status).toBe(401);
    expect(count('SELECT count(*) FROM customer_raw_event')).toBe(before);
    expect(count("SELECT count(*) FROM webhook_delivery WHERE body LIKE '%mallory%'")).toBe(0);
    const outcomes = (await backend.call('connections.deliveries', { limit: 4 })).map((d) => d.outcome);
    expect(outcomes).toEqual(['unknown_shop', 'bad_signature', 'bad_signature', 'bad_signature']);
  });

  it('a body over 5 MB → 413; a signed body that is not JSON → 400', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024 + 10) });
    expect((await deliver('orders/create', big)).status).toBe(413);
    expect((await deliver('orders/create', '{"id": 1,')).status).toBe(400);
    const outcomes = (await backend.call('connections.deliveries', { limit: 2 })).map((d) => d.outcome);
    expect(outcomes).toEqual(['invalid', 'too_large']);
  });

  it('Settings → Connections: the addresses, no secret sent back, and a test delivery that lands', async () => {
    const connections = await backend.call('connections.get', {});
    expect(connections).toEqual({
      shopify: [{ brandId: 1, brandName: 'My shop', shopDomain: SHOP, secretSaved: true }],
      whatsapp: { appSecretSaved: false, verifyTokenSaved: false, businessNumbers: [] },
      urls: {
        shopify: `${backend.runtime.ingest.url}/webhooks/shopify`,
        whatsapp: `${backend.runtime.ingest.url}/webhooks/whatsapp`,
      },
    });
    expect(JSON.stringify(connections)).not.toContain(SECRET);
    const test = await backend.call('connections.testShopify', {});
    expect(test).toMatchObject({ status: 200, outcome: 'accepted' });
    expect((await backend.call('customers.search', { query: 'test.customer@example.com' })).total).toBe(1);
  });
});

describe('checkouts and abandonment', () => {
  const checkout = (token: string, extra: Record<string, unknown> = {}) => ({
    id: Number(token.replace(/\D/g, '')) || 1,
    token,
    cart_token: `cart-${token}`,
    email: 'cara.moss@example.com',
    created_at: '2026-03-01T09:30:00+00:00',
    updated_at: '2026-03-01T09:40:00+00:00',
    completed_at: null,
    total_price: '58.00',
    currency: 'GBP',
    abandoned_checkout_url: `https://corner-shop.myshopify.com/checkouts/${token}/recover`,
    customer: { id: 7002, email: 'cara.moss@example.com', first_name: 'Cara', last_name: 'Moss' },
    line_items: [{ sku: 'POT-1', title: 'Teapot', quantity: 1, price: '58.00' }],
    ...extra,
  });
  const clock = () => backend.ctx.clock as unknown as { set(iso: string): void };

  it('an unfinished checkout becomes an abandoned cart after the delay; completing it clears it', async () => {
    expect((await deliver('checkouts/create', checkout('tok1'))).status).toBe(200);
    const cara = await profileOf('cara.moss@example.com');
    expect((await backend.call('customers.timeline', { id: cara.id })).events[0]).toMatchObject({
      type: 'checkout_started',
    });
    // 2 hours after its last update it is abandoned; not before.
    clock().set('2026-03-01T11:39:00Z');
    expect(sweepAbandonedCheckouts(backend.ctx)).toBe(0);
    clock().set('2026-03-01T11:41:00Z');
    expect(sweepAbandonedCheckouts(backend.ctx)).toBe(1);
    expect(sweepAbandonedCheckouts(backend.ctx)).toBe(0);
    const abandoned = await profileOf('cara.moss@example.com');
    expect(abandoned.openCarts).toEqual([
      {
        token: 'tok1',
        total: 58,
        currency: 'GBP',
        abandonedAt: '2026-03-01T11:41:00.000Z',
        url: 'https://corner-shop.myshopify.com/checkouts/tok1/recover',
      },
    ]);
    expect((await backend.call('customers.timeline', { id: cara.id })).events[0]).toMatchObject({
      type: 'cart_abandoned',
      summary: 'Left a checkout of £58.00 unfinished',
    });
    // The order is placed after all: the cart is no longer open.
    await deliver(
      'checkouts/update',
      checkout('tok1', { completed_at: '2026-03-01T12:00:00+00:00', updated_at: '2026-03-01T12:00:00+00:00' }),
    );
    expect((await profileOf('cara.moss@example.com')).openCarts).toEqual([]);
  });

  it('uses the delay the shop chose in Settings', async () => {
    await backend.call('settings.update', { abandonedCheckoutMinutes: 30 });
    clock().set('2026-03-05T10:00:00Z');
    await deliver(
      'checkouts/create',
      checkout('tok9', { created_at: '2026-03-05T09:00:00+00:00', updated_at: '2026-03-05T09:00:00+00:00' }),
    );
    clock().set('2026-03-05T09:29:00Z');
    expect(sweepAbandonedCheckouts(backend.ctx)).toBe(0);
    clock().set('2026-03-05T09:31:00Z');
    expect(sweepAbandonedCheckouts(backend.ctx)).toBe(1);
    await backend.call('settings.update', { abandonedCheckoutMinutes: 120 });
    await expect(backend.call('settings.update', { abandonedCheckoutMinutes: 1 })).rejects.toMatchObject({
      field: 'abandonedCheckoutMinutes',
    });
  });

  it('a completed or deleted checkout is never called abandoned', async () => {
    clock().set('2026-03-01T10:00:00Z');
    await deliver('checkouts/create', checkout('tok2', { updated_at: '2026-03-01T09:55:00+00:00' }));
    await deliver(
      'checkouts/update',
      checkout('tok2', { completed_at: '2026-03-01T09:58:00+00:00', updated_at: '2026-03-01T09:58:00+00:00' }),
    );
    await deliver('checkouts/create', checkout('tok3', { updated_at: '2026-03-01T09:55:00+00:00' }));
    await deliver('checkouts/delete', { id: 3, token: 'tok3' });
    clock().set('2026-03-02T10:00:00Z');
    expect(sweepAbandonedCheckouts(backend.ctx)).toBe(0);
  });
});
