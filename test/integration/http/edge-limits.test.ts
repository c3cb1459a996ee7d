/**
 * Issue 14, findings 1 and 2: limits at the edge, through the real listeners.
 * Money beyond ±10^12, dates before 1990 or more than a day ahead, non-decimal
 * Shopify money strings, payloads nested deeper than 32 or larger than 256 KB,
 * lone surrogates, NUL bytes and over-long identifiers are refused with the
 * field named; a bad event never takes the rest of its batch with it; a
 * webhook that breaks a limit is refused and leaves nothing but its log line;
 * and the pages and a retrain keep working afterwards.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { shopifySignature } from '../../../main/core/http/shopify-receiver';
import { webhooksOf } from '../../../main/core/ingest/webhook-batcher';
import { TEST_NOW, tempDir } from '../../support/backend';
import { listeningShop } from '../../support/listening-shop';
import { retrainFinished, seedMlShop } from '../../support/ml-shop';

const SHOPIFY_SECRET = 'shpss_edge_secret';
const SHOP = 'edge-shop.myshopify.com';
const WA_SECRET = 'meta-edge-secret';
let backend: Backend;
let base: string;
let key: string;
const dir = tempDir();
let sequence = 0;

beforeAll(async () => {
  ({ backend, base, key } = await listeningShop(dir.path, {
    shopDomain: SHOP,
    shopifySecret: SHOPIFY_SECRET,
    whatsappSecret: WA_SECRET,
  }));
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

interface Answer {
  status: number;
  body: {
    ok: boolean;
    error?: { kind: string; message: string; field?: string };
    errors?: { index: number; field: string | null; message: string }[];
    results?: { index: number; eventId: number; profileId: number | null; duplicate: boolean }[];
  };
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

const postEvents = (body: unknown) =>
  fetch(`${base}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(answer);

function shopify(topic: string, payload: unknown) {
  sequence += 1;
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return fetch(`${base}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': SHOP,
      'x-shopify-event-id': `edge-${sequence}`,
      'x-shopify-webhook-id': `edge-wh-${sequence}`,
      'x-shopify-hmac-sha256': shopifySignature(SHOPIFY_SECRET, body),
    },
    body,
  }).then(async (response) => {
    await webhooksOf(backend.ctx).whenRead();
    return answer(response);
  });
}

function whatsapp(payload: unknown) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return fetch(`${base}/webhooks/whatsapp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', WA_SECRET).update(body).digest('hex')}`,
    },
    body,
  }).then(answer);
}

const purchase = (externalId: string, email: string, payload: Record<string, unknown> = {}, extra = {}) => ({
  type: 'purchase',
  occurredAt: '2026-02-20T10:00:00Z',
  externalId,
  identifiers: { email },
  payload: { total: 10, currency: 'GBP', ...payload },
  ...extra,
});

const order = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `#${id}`,
  email: `buyer${id}@example.com`,
  created_at: '2026-02-20T10:00:00+00:00',
  total_price: '42.50',
  currency: 'GBP',
  customer: { id: id + 50_000, email: `buyer${id}@example.com`, first_name: 'Bo' },
  line_items: [{ sku: 'TEA-1', title: 'Tea', quantity: 1, price: '42.50' }],
  ...extra,
});

const waDelivery = (value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', ...value } }] }],
});
const waText = (id: string, from: string, timestamp = String(Date.parse(TEST_NOW) / 1000 - 60)) => ({
  from,
  id,
  timestamp,
  type: 'text',
  text: { body: 'Hello' },
});

const count = (sql: string, ...params: unknown[]) =>
  backend.db.sqlite
    .prepare(sql)
    .pluck()
    .get(...params) as number;
const eventsWith = (externalIdLike: string) =>
  count('SELECT count(*) FROM customer_raw_event WHERE external_id LIKE ?', externalIdLike);

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

/** Every page the shop can open answers (no "answer it could not check"). */
async function pagesAnswer(): Promise<void> {
  for (const sort of ['lifetime_value', 'last_seen', 'churn_risk', 'predicted_value'] as const) {
    const page = await backend.call('customers.search', { sort, limit: 200 });
    for (const item of page.items) expect(Number.isFinite(item.lifetimeValue)).toBe(true);
  }
  await backend.call('models.overview', {});
  await backend.call('models.segments', {});
  await backend.call('merges.reviews', {});
  const ids = backend.db.sqlite.prepare('SELECT id FROM customer_profile ORDER BY lifetime_value DESC LIMIT 5').pluck();
  for (const id of ids.all() as number[]) {
    await backend.call('customers.get', { id });
    await backend.call('customers.timeline', { id });
  }
}

describe('finding 1: money and dates', () => {
  it('refuses totals beyond ±10^12 naming the field, so lifetime value stays finite and every page answers', async () => {
    const result = await postEvents([
      purchase('huge-1', 'huge@example.com', { total: 1e308 }),
      purchase('huge-2', 'huge@example.com', { total: 1e308 }),
      purchase('huge-3', 'huge@example.com', { total: -1e13 }),
      purchase('huge-4', 'huge@example.com', { items: [{ sku: 'X', price: 1e300 }] }),
      purchase('huge-ok', 'huge@example.com', { total: 999_999_999_999.99 }),
    ]);
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => [e.index, e.field])).toEqual([
      [0, 'payload.total'],
      [1, 'payload.total'],
      [2, 'payload.total'],
      [3, 'payload.items.0.price'],
    ]);
    expect(result.body.errors?.[0]?.message).toMatch(/between -1,000,000,000,000 and 1,000,000,000,000/);
    expect(result.body.results?.map((r) => r.index)).toEqual([4]);
    expect(eventsWith('huge-%')).toBe(1);
    const value = count(
      'SELECT lifetime_value FROM customer_profile WHERE first_name IS NULL AND total_orders = 1 AND lifetime_value > 1e11',
    );
    expect(value).toBe(999_999_999_999.99);
    await pagesAnswer();
  });

  it('refuses dates before 1990 or more than a day after now (the injected clock), naming occurredAt', async () => {
    const result = await postEvents([
      purchase('when-1', 'when@example.com', {}, { occurredAt: '9999-12-31T00:00:00Z' }),
      purchase('when-2', 'when@example.com', {}, { occurredAt: '0000-01-01T00:00:00Z' }),
      purchase('when-3', 'when@example.com', {}, { occurredAt: '1989-12-31T23:59:59Z' }),
      purchase('when-4', 'when@example.com', {}, { occurredAt: '2026-03-02T10:00:01Z' }),
      purchase('when-ok', 'when@example.com', {}, { occurredAt: '2026-03-02T09:59:59Z' }),
    ]);
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => [e.index, e.field])).toEqual([
      [0, 'occurredAt'],
      [1, 'occurredAt'],
      [2, 'occurredAt'],
      [3, 'occurredAt'],
    ]);
    expect(result.body.errors?.[0]?.message).toMatch(/occurredAt: must be between 1990-01-01 and a day after now/);
    expect(result.body.errors?.[3]?.message).toMatch(/a day after now \(2026-03-02T10:00:00.000Z\)/);
    expect(eventsWith('when-%')).toBe(1);
  });

  it('Shopify money is decimal only: "0x10", "   ", "1e5" and amounts beyond the limit are refused, nothing stored', async () => {
    const before = count('SELECT count(*) FROM webhook_delivery WHERE outcome = ?', 'accepted');
    for (const [i, bad] of [
      ['0x10', 'total_price'],
      ['   ', 'total_price'],
      ['1e5', 'total_price'],
      ['2000000000000', 'total_price'],
    ].entries()) {
      const refused = await shopify('orders/create', order(9100 + i, { total_price: bad[0] }));
      expect(refused.status).toBe(400);
      expect(refused.body.error?.message).toMatch(/total_price/);
    }
    const line = await shopify(
      'orders/create',
      order(9200, { line_items: [{ sku: 'A', title: 'A', quantity: 1, price: '0x10' }] }),
    );
    expect(line.status).toBe(400);
    expect(line.body.error?.message).toMatch(/line_items\.0\.price/);
    expect(count('SELECT count(*) FROM webhook_delivery WHERE outcome = ?', 'accepted')).toBe(before);
    expect(eventsWith('orders/create:91%')).toBe(0);
    expect(
      count("SELECT count(*) FROM webhook_delivery WHERE outcome = 'invalid' AND detail LIKE '%total_price%'"),
    ).toBe(4);
    // A normal order still goes through, with its money read exactly.
    const fine = await shopify('orders/create', order(9300, { total_price: '1234.50' }));
    expect(fine.status).toBe(200);
    expect(
      count(
        "SELECT json_extract(payload, '$.total') FROM customer_raw_event WHERE external_id = ?",
        'orders/create:9300',
      ),
    ).toBe(1234.5);
  });

  it('Shopify and WhatsApp dates out of range are refused (a year-9999 order cannot top "last seen")', async () => {
    const future = await shopify('orders/create', order(9400, { created_at: '9999-01-01T00:00:00Z' }));
    expect(future.status).toBe(400);
    expect(future.body.error?.message).toMatch(/created_at/);
    const ancient = await shopify('orders/create', order(9401, { created_at: '0000-01-01T00:00:00Z' }));
    expect(ancient.status).toBe(400);
    const wa = await whatsapp(waDelivery({ messages: [waText('wamid.FUTURE', '447700900201', '253402300800')] }));
    expect(wa.status).toBe(400);
    expect(wa.body.error?.message).toMatch(/timestamp/);
    expect(eventsWith('orders/create:940%')).toBe(0);
    expect(eventsWith('wamid.FUTURE')).toBe(0);
  });
});

describe('finding 2: structure, size and text', () => {
  it('refuses a payload nested deeper than 32 (1,001 and 100,000 levels) and keeps the rest of the batch', async () => {
    // Deep values are written as JSON text: JSON.stringify of 5,000 levels would itself overflow the stack.
    const withDeep = (externalId: string, field: string, depth: number) =>
      JSON.stringify(purchase(externalId, `${externalId}@example.com`)).replace(
        '"total":10',
        `"total":10,"${field}":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      );
    const parts = Array.from({ length: 996 }, (_, i) =>
      JSON.stringify(purchase(`deep-ok-${i}`, `deep${i}@example.com`)),
    );
    parts.push(
      withDeep('deep-32', 'extra', 31),
      withDeep('deep-1001', 'extra', 1001),
      withDeep('deep-5000', 'extra', 5000),
      withDeep('deep-100k', 'x', 100_000),
    );
    const text = `[${parts.join(',')}]`;
    const result = await postEvents(text);
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => [e.index, e.field])).toEqual([
      [997, 'payload.extra'],
      [998, 'payload.extra'],
      [999, 'payload.x'],
    ]);
    expect(result.body.errors?.[0]?.message).toMatch(/nested more than 32 levels/);
    expect(result.body.results).toHaveLength(997);
    expect(eventsWith('deep-%')).toBe(997);
    expect(count('SELECT count(*) FROM customer_raw_event WHERE json_valid(payload) = 0')).toBe(0);
  });

  it('refuses lone surrogates, NUL bytes, over-long identifiers and names, and an event over 256 KB, naming each', async () => {
    const result = await postEvents([
      purchase('text-1', 'surrogate@example.com', { firstName: 'Ann\ud800' }),
      purchase('text-2', 'nul@example.com', { firstName: 'A\u0000nn' }),
      purchase('text-3', `${'a'.repeat(1_000_000)}@example.com`),
      purchase('text-4', 'long@example.com', { lastName: 'L'.repeat(256) }),
      purchase('text-5', 'big@example.com', {
        notes: 'x'.repeat(9_000),
        blob: Array.from({ length: 40 }, () => 'y'.repeat(8_000)),
      }),
      purchase('text-6', 'key@example.com', { 'k\udc00': 1 }),
      purchase('text-ok', 'fine@example.com', { firstName: 'Zoë', lastName: '李' }),
    ]);
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => [e.index, e.field])).toEqual([
      [0, 'payload.firstName'],
      [1, 'payload.firstName'],
      [2, 'identifiers.email'],
      [3, 'payload.lastName'],
      [4, 'payload'],
      [5, 'payload'],
    ]);
    expect(result.body.errors?.[0]?.message).toMatch(/not well-formed text/);
    expect(result.body.errors?.[1]?.message).toMatch(/NUL/);
    expect(result.body.errors?.[4]?.message).toMatch(/256 KB/);
    expect(eventsWith('text-%')).toBe(1);
  });

  it('answers 413 with a clear message for a body over 5 MB', async () => {
    const body = JSON.stringify([purchase('big', 'big@example.com', { notes: 'x'.repeat(6 * 1024 * 1024) })]);
    const result = await postEvents(body);
    expect(result.status).toBe(413);
    expect(result.body.error?.message).toMatch(/larger than 5 MB/);
  });

  it('a webhook nested deeper than 32 is refused, nothing stored, and retrains keep working', async () => {
    const deep = await shopify('orders/create', order(9500, { note_attributes: [nested(2_000)] }));
    expect(deep.status).toBe(400);
    expect(deep.body.error?.message).toMatch(/nested more than 32 levels/);
    const unknownTopic = await shopify('products/update', { id: 1, body: nested(100) });
    expect(unknownTopic.status).toBe(400);
    const body = JSON.stringify(
      waDelivery({
        messages: [waText('wamid.DEEP1', '447700900301')],
        statuses: [
          { id: 'wamid.OUTX', status: 'failed', timestamp: '1772359000', recipient_id: '447700900301', errors: [] },
        ],
      }),
    ).replace('"errors":[]', `"errors":${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const wa = await whatsapp(body);
    expect(wa.status).toBe(400);
    expect(eventsWith('wamid.DEEP1')).toBe(0);
    expect(count("SELECT count(*) FROM message_delivery_update WHERE provider_message_id = 'wamid.OUTX'")).toBe(0);
    expect(
      count(
        "SELECT count(*) FROM webhook_delivery WHERE provider = 'whatsapp' AND outcome = 'invalid' AND detail LIKE '%nested more than 32%'",
      ),
    ).toBe(1);
  });

  it('a WhatsApp status that cannot be stored leaves its message unstored too (one outcome per delivery)', async () => {
    const ok = await whatsapp(
      waDelivery({
        messages: [waText('wamid.PAIR1', '447700900302')],
        statuses: [
          { id: 'wamid.OUTY', status: 'failed', timestamp: '1772359000', errors: [{ code: 131026, title: 'x' }] },
        ],
      }),
    );
    expect(ok.status).toBe(200);
    expect(eventsWith('wamid.PAIR1')).toBe(1);
    expect(count("SELECT count(*) FROM message_delivery_update WHERE provider_message_id = 'wamid.OUTY'")).toBe(1);
    const bad = await whatsapp(
      waDelivery({
        messages: [waText('wamid.PAIR2', '447700900303')],
        statuses: [{ id: 'wamid.OUTZ', status: 'failed', timestamp: '99999999999999', errors: [] }],
      }),
    );
    expect(bad.status).toBe(400);
    expect(eventsWith('wamid.PAIR2')).toBe(0);
  });

  it('after all of that, a retrain over a real history completes and the pages answer', async () => {
    seedMlShop(backend.db, { customers: 300, end: Date.parse(TEST_NOW), days: 400, seed: 3 });
    const { jobId } = await backend.call('models.retrain', {});
    const job = await retrainFinished(backend, jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    await pagesAnswer();
  }, 60_000);
});
