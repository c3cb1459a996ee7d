/**
 * A data file that cannot be written: the disk fills up (simulated with PRAGMA max_page_count, which makes SQLite
 * answer SQLITE_FULL exactly as a full disk does). Senders get 503 with Retry-After and the reason; nothing
 * acknowledged is lost; the Dashboard's app.info says what happened and what to do; once space is back, the next
 * delivery is stored and the warning goes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { shopifySignature } from '../../../main/core/http/shopify-receiver';
import { webhooksOf } from '../../../main/core/ingest/webhook-batcher';
import { tempDirs } from '../../support/backend';
import { type ListeningShop, listeningShop } from '../../support/listening-shop';

const newDir = tempDirs();
const SHOP = 'fill-up.myshopify.com';
const SECRET = 'shpss_fill';
let shop: ListeningShop | undefined;
afterEach(async () => {
  await shop?.backend.close();
  shop = undefined;
});

const event = (n: number) => ({
  type: 'purchase',
  occurredAt: '2026-02-01T10:00:00Z',
  source: 'api',
  externalId: `fill-${n}`,
  identifiers: { email: `buyer${n}@example.com` },
  // Big enough that a batch of them needs new pages of the file.
  payload: { total: 10, currency: 'GBP', note: 'x'.repeat(3000) },
});

describe('a full disk', () => {
  it('answers 503 with Retry-After and the reason, loses nothing acknowledged, and recovers once space is back', async () => {
    shop = await listeningShop(newDir(), { shopDomain: SHOP, shopifySecret: SECRET, whatsappSecret: 'wa' });
    const { backend, base, key } = shop;
    const post = (events: unknown[]) =>
      fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(events),
      });
    const stored = () =>
      backend.db.sqlite.prepare("SELECT external_id FROM customer_raw_event WHERE source = 'api'").pluck().all();

    const accepted = await post([event(0)]);
    expect(accepted.status).toBe(202);

    // The disk is full: no page may be added to the file.
    const pages = backend.db.sqlite.pragma('page_count', { simple: true }) as number;
    backend.db.sqlite.pragma(`max_page_count = ${pages}`);
    const refused = await post(Array.from({ length: 40 }, (_, i) => event(i + 1)));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    const body = (await refused.json()) as { ok: boolean; error: { kind: string; message: string } };
    expect(body.error.kind).toBe('unavailable');
    expect(body.error.message).toMatch(/^The disk holding your data is full: free some space on it/);
    expect(body.error.message).toContain('Nothing received was lost');

    const order = JSON.stringify({ id: 77, email: 'ann@example.com', total_price: '12.00', note: 'y'.repeat(60_000) });
    const delivery = await fetch(`${base}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': SHOP,
        'x-shopify-webhook-id': 'wh-full',
        'x-shopify-event-id': 'evt-full',
        'x-shopify-hmac-sha256': shopifySignature(SECRET, order),
      },
      body: order,
    });
    expect(delivery.status).toBe(503);
    expect(delivery.headers.get('retry-after')).toBe('30');

    const info = await backend.call('app.info', {});
    expect(info.storage).toMatchObject({ kind: 'full' });
    expect(info.storage?.message).toContain('The disk holding your data is full');
    // What was acknowledged is there; what was refused was not half-stored.
    expect(stored()).toEqual(['fill-0']);

    // Space is back: the sender's retry is stored and the warning goes.
    backend.db.sqlite.pragma('max_page_count = 1073741823');
    const retried = await post(Array.from({ length: 40 }, (_, i) => event(i + 1)));
    expect(retried.status).toBe(202);
    expect(stored()).toHaveLength(41);
    expect((await backend.call('app.info', {})).storage).toBeNull();
    await webhooksOf(backend.ctx).whenRead();
  });
});
