/**
 * Webhook receivers on the ingest listener.
 *
 * POST /webhooks/shopify: the signature (base64 HMAC-SHA256 of the raw body
 * with the store's app secret, header X-Shopify-Hmac-Sha256) is checked on
 * the raw bytes, in constant time, before anything is parsed. Missing or
 * wrong → 401; over 5 MB → 413; not JSON → 400. A refused delivery leaves
 * only a log row without its body. An accepted one is committed (log row,
 * raw body, events) before the 200.
 *
 * GET /webhooks/whatsapp: Meta's handshake (hub.verify_token must match the
 * saved verify token → 200 with hub.challenge, else 403).
 * POST /webhooks/whatsapp: X-Hub-Signature-256 = sha256=<hex HMAC of the raw
 * body with the app secret>; wrong or missing → 401.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Router,
} from 'express';
import { findShopByDomain, shopifySecretName } from '../connections/shopify-connections';
import { WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN } from '../connections/whatsapp-connection';
import type { Core } from '../core';
import { logDelivery, type Outcome } from '../ingest/webhook-intake';
import { sendError } from './errors';

export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export function shopifySignature(secret: string, raw: Buffer | string): string {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Mounts the receivers on the ingest listener. The Shopify route sits on the app itself, not in a
 * sub-router: it is the busiest route, and a nested router's prefix handling costs a measurable share
 * of each delivery's time under load.
 */
export function mountWebhooks(app: Express, core: Core): void {
  const { shopify, router, tooLarge } = createWebhooks(core);
  app.post('/webhooks/shopify', ...shopify);
  app.use('/webhooks', router);
  app.use('/webhooks', tooLarge);
}

function createWebhooks(core: Core): { shopify: RequestHandler[]; router: Router; tooLarge: ErrorRequestHandler } {
  const router = express.Router();
  const refuse = (req: Request, outcome: Outcome, detail: string, brandId: number | null = null) => {
    logDelivery(core.db, {
      provider: 'shopify',
      brandId,
      topic: req.get('x-shopify-topic') ?? null,
      outcome,
      detail,
      receivedAt: core.clock.now().getTime(),
    });
  };

  const shopify: RequestHandler[] = [express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES })];
  shopify.push(async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const domain = req.get('x-shopify-shop-domain') ?? '';
    const topic = req.get('x-shopify-topic') ?? '';
    const shop = findShopByDomain(core.db, domain);
    if (!shop) {
      refuse(req, 'unknown_shop', domain ? `no shop ${domain} is connected` : 'no X-Shopify-Shop-Domain header');
      sendError(res, 'auth', 'This store is not connected to ConstIntel.');
      return;
    }
    const secret = core.secrets.get(shopifySecretName(shop.brandId));
    const given = req.get('x-shopify-hmac-sha256');
    if (!secret || !given || !sameSignature(given, shopifySignature(secret, raw))) {
      refuse(
        req,
        'bad_signature',
        !secret ? 'no app secret saved for this store' : given ? 'signature does not match' : 'no signature',
        shop.brandId,
      );
      sendError(res, 'auth', 'The webhook signature is missing or wrong.');
      return;
    }
    if (topic === '') {
      refuse(req, 'invalid', 'no X-Shopify-Topic header', shop.brandId);
      sendError(res, 'validation', 'X-Shopify-Topic header is missing.');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      refuse(req, 'invalid', 'body is not JSON', shop.brandId);
      sendError(res, 'validation', 'The body is not JSON.');
      return;
    }
    const triggered = Date.parse(req.get('x-shopify-triggered-at') ?? '');
    const result = await core.receiveShopify({
      brandId: shop.brandId,
      topic,
      eventId: req.get('x-shopify-event-id') ?? null,
      webhookId: req.get('x-shopify-webhook-id') ?? null,
      triggeredAt: Number.isFinite(triggered) ? triggered : null,
      raw: raw.toString('utf8'),
      json,
    });
    const answer = JSON.stringify({ ok: true, duplicate: result.duplicate, delivery: result.deliveryId });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  });

  // Meta's subscription handshake: echo the challenge when the verify token matches.
  router.get('/whatsapp', (req, res) => {
    const token = core.secrets.get(WHATSAPP_VERIFY_TOKEN);
    const given = typeof req.query['hub.verify_token'] === 'string' ? req.query['hub.verify_token'] : '';
    const challenge = typeof req.query['hub.challenge'] === 'string' ? req.query['hub.challenge'] : '';
    if (req.query['hub.mode'] === 'subscribe' && token && sameSignature(given, token)) {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    res.status(403).type('text/plain').send('Forbidden');
  });

  router.post('/whatsapp', express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }), (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const secret = core.secrets.get(WHATSAPP_APP_SECRET);
    const header = req.get('x-hub-signature-256') ?? '';
    const given = header.startsWith('sha256=') ? header.slice(7) : '';
    const refuseWa = (outcome: Outcome, detail: string) =>
      logDelivery(core.db, {
        provider: 'whatsapp',
        brandId: null,
        topic: null,
        outcome,
        detail,
        receivedAt: core.clock.now().getTime(),
      });
    if (!secret || !given || !sameSignature(given, createHmac('sha256', secret).update(raw).digest('hex'))) {
      refuseWa(
        'bad_signature',
        !secret ? 'no app secret saved for WhatsApp' : given ? 'signature does not match' : 'no signature',
      );
      sendError(res, 'auth', 'The webhook signature is missing or wrong.');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      refuseWa('invalid', 'body is not JSON');
      sendError(res, 'validation', 'The body is not JSON.');
      return;
    }
    const result = core.receiveWhatsApp(raw.toString('utf8'), json);
    res.status(200).json({ ok: true, duplicate: result.duplicate, delivery: result.deliveryId });
  });

  const tooLarge: ErrorRequestHandler = (error: { type?: string }, req, res, next) => {
    if (error.type !== 'entity.too.large') return next(error);
    logDelivery(core.db, {
      provider: req.originalUrl.startsWith('/webhooks/whatsapp') ? 'whatsapp' : 'shopify',
      brandId: null,
      topic: req.get('x-shopify-topic') ?? null,
      outcome: 'too_large',
      detail: `body over ${MAX_WEBHOOK_BYTES / 1024 / 1024} MB`,
      receivedAt: core.clock.now().getTime(),
    });
    res.status(413).json({ ok: false, error: { kind: 'validation', message: 'The body is larger than 5 MB.' } });
  };
  return { shopify, router, tooLarge };
}
