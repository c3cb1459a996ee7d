/**
 * Handlers for `connections.*`: Shopify store, webhook addresses, the delivery log, a test delivery, and the shop's
 * public address with its reach check.
 */
import { AppError } from '../../../shared/contract/errors';
import {
  NO_PUBLIC_ADDRESS,
  parsePublicUrl,
  publicAddressView,
  publicUrlOf,
  savePublicUrl,
} from '../connections/public-address';
import { checkReach } from '../connections/reach-check';
import { listShopify, saveShopify, shopifySecretName } from '../connections/shopify-connections';
import { saveWhatsApp, whatsappView } from '../connections/whatsapp-connection';
import { stmt } from '../db/statements';
import { shopifySignature } from '../http/shopify-receiver';
import { webhooksOf } from '../ingest/webhook-batcher';
import { DEFAULT_BRAND_ID } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { type HandlerContext, handlers } from './registry';

function connections({ db, secrets, runtime }: HandlerContext) {
  const base = runtime.ingest.url;
  return {
    shopify: listShopify(db, secrets),
    whatsapp: whatsappView(db, secrets),
    urls: { shopify: base ? `${base}/webhooks/shopify` : null, whatsapp: base ? `${base}/webhooks/whatsapp` : null },
  };
}

export const connectionsHandlers = handlers({
  'connections.get': (_input, ctx) => connections(ctx),

  'connections.saveShopify': (input, ctx) => {
    saveShopify(
      ctx.db,
      ctx.secrets,
      { ...input, brandId: input.brandId ?? DEFAULT_BRAND_ID },
      ctx.clock.now().getTime(),
    );
    return connections(ctx);
  },

  'connections.saveWhatsApp': (input, ctx) => {
    saveWhatsApp(ctx.secrets, input);
    return connections(ctx);
  },

  'connections.publicAddress': (_input, { db, secrets }) => publicAddressView(db, secrets),

  'connections.savePublicAddress': ({ url }, ctx) => {
    const now = ctx.clock.now().getTime();
    if (url.trim() === '') savePublicUrl(ctx.db, null, now);
    else {
      const parsed = parsePublicUrl(url);
      if (!parsed.ok) throw new AppError('validation', parsed.problem, 'url');
      savePublicUrl(ctx.db, parsed.url, now);
    }
    return publicAddressView(ctx.db, ctx.secrets);
  },

  'connections.checkPublicAddress': async (_input, ctx) => {
    const url = publicUrlOf(ctx.db);
    if (url === null) throw new AppError('validation', NO_PUBLIC_ADDRESS);
    if (!ctx.runtime.ingest.url)
      throw new AppError(
        'unavailable',
        'ConstIntel’s ingest listener is not running, so nothing could answer through the tunnel. The Dashboard says why.',
      );
    return checkReach(url, { ingestPort: ctx.runtime.ingest.port });
  },

  'connections.deliveries': ({ limit }, { db }) =>
    (
      stmt(
        db,
        'SELECT id, provider, brand_id, topic, outcome, detail, received_at, event_count FROM webhook_delivery ORDER BY id DESC LIMIT ?',
      ).all(limit) as {
        id: number;
        provider: string;
        brand_id: number | null;
        topic: string | null;
        outcome: 'accepted';
        detail: string | null;
        received_at: number;
        event_count: number;
      }[]
    ).map((r) => ({
      id: r.id,
      provider: r.provider,
      brandId: r.brand_id,
      topic: r.topic,
      outcome: r.outcome,
      detail: r.detail,
      receivedAt: new Date(r.received_at).toISOString(),
      eventCount: r.event_count,
    })),

  'connections.testShopify': async ({ brandId = DEFAULT_BRAND_ID }, ctx) => {
    const shop = listShopify(ctx.db, ctx.secrets).find((s) => s.brandId === brandId);
    const secret = ctx.secrets.get(shopifySecretName(brandId));
    if (!shop || !secret) throw new AppError('validation', 'Connect the Shopify store and save its secret first.');
    if (!ctx.runtime.ingest.url) throw new AppError('unavailable', 'The ingest listener is not running.');
    const now = ctx.clock.now();
    const id = now.getTime();
    const body = JSON.stringify({
      id,
      name: `#TEST-${id}`,
      email: 'test.customer@example.com',
      created_at: now.toISOString(),
      total_price: '12.50',
      currency: shopCurrency(ctx),
      customer: { id: 1, email: 'test.customer@example.com', first_name: 'Test', last_name: 'Customer' },
      line_items: [{ sku: 'TEST-1', title: 'Test item', quantity: 1, price: '12.50' }],
    });
    const response = await fetch(`${ctx.runtime.ingest.url}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': shop.shopDomain,
        'x-shopify-hmac-sha256': shopifySignature(secret, body),
        'x-shopify-event-id': `constintel-test-${id}`,
        'x-shopify-triggered-at': now.toISOString(),
      },
      body,
    });
    const answer = (await response.json().catch(() => ({}))) as { delivery?: number };
    // Answered once stored; report what it became once it has been read.
    await webhooksOf(ctx).whenRead();
    const row = answer.delivery
      ? (stmt(ctx.db, 'SELECT outcome, detail FROM webhook_delivery WHERE id = ?').get(answer.delivery) as
          | { outcome: string; detail: string }
          | undefined)
      : undefined;
    return {
      status: response.status,
      outcome: row?.outcome ?? 'refused',
      detail: row?.detail ?? `answered ${response.status}`,
    };
  },
});
