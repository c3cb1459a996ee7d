/**
 * Shopify deliveries in a burst: each is committed raw and answered, then
 * read into events in arrival order between answers; a privacy request reads
 * everything before it first; deliveries left waiting by a crash are read
 * when the app starts again. Driven through Core.receiveShopify (the webhook
 * route's next step) so the burst is exact: every delivery queued in one turn
 * of the event loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { openDatabase } from '../../../main/core/db/open';
import { webhooksOf } from '../../../main/core/ingest/webhook-batcher';
import type { ShopifyDelivery } from '../../../main/core/ingest/webhook-intake';
import { tempDir, testBackend } from '../../support/backend';

const dir = tempDir();
let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

let sequence = 0;
function delivery(topic: string, json: Record<string, unknown>): ShopifyDelivery {
  sequence += 1;
  return {
    brandId: 1,
    topic,
    eventId: `evt-${sequence}`,
    webhookId: `wh-${sequence}`,
    triggeredAt: null,
    raw: JSON.stringify(json),
    json,
  };
}
const order = (id: number, email: string, total: number) => ({
  id,
  name: `#${id}`,
  email,
  created_at: '2026-03-01T10:00:00+00:00',
  total_price: total.toFixed(2),
  currency: 'GBP',
  customer: { id: 9000 + (email.length % 7), email },
  line_items: [{ id: 1, sku: 'TEA-1', title: 'Earl Grey', quantity: 1, price: total.toFixed(2) }],
});
const refund = (orderId: number, amount: number) => ({
  id: orderId * 10,
  order_id: orderId,
  created_at: '2026-03-02T10:00:00+00:00',
  transactions: [{ kind: 'refund', status: 'success', amount: amount.toFixed(2) }],
});

const count = (b: Backend, sql: string) => b.db.sqlite.prepare(sql).pluck().get() as number;
async function readingDone(b: Backend): Promise<void> {
  for (let i = 0; i < 500 && count(b, 'SELECT count(*) FROM webhook_delivery WHERE pending = 1') > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(count(b, 'SELECT count(*) FROM webhook_delivery WHERE pending = 1')).toBe(0);
}
async function lifetimeValueOf(b: Backend, email: string): Promise<number | undefined> {
  const [first] = (await b.call('customers.search', { query: email })).items;
  return first?.lifetimeValue;
}

describe('Shopify deliveries in a burst', () => {
  it('are answered once stored, then read in arrival order: each order once, refunds on their orders', async () => {
    backend = await testBackend({ dataDir: dir.path });
    const batcher = webhooksOf(backend.ctx);
    const orders = Array.from({ length: 30 }, (_, i) =>
      delivery('orders/create', order(100 + i, 'ann@example.com', 10)),
    );
    // The refunds arrive behind their orders in the same burst: read after them, they find their customer.
    const refunds = [100, 101, 102].map((id) => delivery('refunds/create', refund(id, 4)));
    const answers = await Promise.all(
      [...orders, ...refunds, orders[0] as ShopifyDelivery].map((d) => batcher.receive(d)),
    );
    expect(answers.filter((a) => a.duplicate)).toHaveLength(1);
    // Answered before they were read: stored, waiting, no events yet.
    expect(count(backend, 'SELECT count(*) FROM webhook_delivery WHERE pending = 1')).toBe(33);
    expect(count(backend, 'SELECT count(*) FROM customer_raw_event')).toBe(0);
    const log = await backend.call('connections.deliveries', {});
    const accepted = log.filter((d) => d.outcome === 'accepted');
    expect(accepted).toHaveLength(33);
    expect(accepted.every((d) => d.detail === 'received; being read')).toBe(true);

    await readingDone(backend);
    expect(count(backend, "SELECT count(*) FROM customer_raw_event WHERE event_type = 'purchase'")).toBe(30);
    expect(
      count(
        backend,
        "SELECT count(*) FROM customer_raw_event WHERE event_type = 'refund' AND customer_profile_id IS NOT NULL",
      ),
    ).toBe(3);
    expect(await lifetimeValueOf(backend, 'ann@example.com')).toBe(300 - 12);
    expect(count(backend, "SELECT count(*) FROM webhook_delivery WHERE detail = 'received; being read'")).toBe(0);
  });

  it('a privacy request reads everything before it first, so an erased customer cannot come back', async () => {
    backend = await testBackend({ dataDir: tempDir().path });
    const batcher = webhooksOf(backend.ctx);
    const burst = [
      ...Array.from({ length: 20 }, (_, i) => delivery('orders/create', order(200 + i, 'bea@example.com', 5))),
      delivery('customers/redact', { shop_domain: 'x', customer: { email: 'bea@example.com' } }),
    ];
    await Promise.all(burst.map((d) => batcher.receive(d)));
    await readingDone(backend);
    expect(await lifetimeValueOf(backend, 'bea@example.com')).toBeUndefined();
    expect(count(backend, 'SELECT count(*) FROM customer_raw_event')).toBe(0);
    expect(
      count(backend, "SELECT count(*) FROM privacy_request WHERE kind = 'redact_customer' AND profiles_affected = 1"),
    ).toBe(1);
  });

  it('deliveries a crash left waiting are read when the app starts again, before it answers anything', async () => {
    const folder = tempDir();
    {
      // As the data file is after a kill between the commit of a burst and its reading.
      backend = await testBackend({ dataDir: folder.path });
      await backend.close();
      backend = undefined;
      const db = openDatabase(`${folder.path}/constintel.db`);
      const insert = db.sqlite.prepare(
        `INSERT INTO webhook_delivery (provider, brand_id, topic, delivery_key, outcome, detail, body, received_at, pending)
         VALUES ('shopify', 1, 'orders/create', ?, 'accepted', 'received; being read', ?, 0, 1)`,
      );
      for (let i = 0; i < 12; i++) insert.run(`crash-${i}`, JSON.stringify(order(300 + i, 'cy@example.com', 2)));
      db.close();
    }
    backend = await testBackend({ dataDir: folder.path });
    expect(count(backend, 'SELECT count(*) FROM webhook_delivery WHERE pending = 1')).toBe(0);
    expect(count(backend, "SELECT count(*) FROM customer_raw_event WHERE event_type = 'purchase'")).toBe(12);
    expect(await lifetimeValueOf(backend, 'cy@example.com')).toBe(24);
  });
});
