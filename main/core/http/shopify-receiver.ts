/**
 * POST /webhooks/shopify, as a plain Node request handler in front of the
 * ingest listener's express app (everything else still goes through express).
 *
 * Why not an express route: Shopify deliveries are the one request that comes
 * in thousands a minute during a sale. Measured with `npm run bench --
 * webhooks` (50 connections, this 2-core machine), the same receiver behind
 * express's router and body-parser spent about 0.23 ms of CPU per delivery
 * and answered at p99 27–32 ms, over the 25 ms target; the router, its
 * parameter handling and body-parser were about a third of that time. Here
 * the body is read with raw-body (the library body-parser itself uses) and the
 * same express-rate-limit limiter guards it.
 *
 * The signature (base64 HMAC-SHA256 of the raw body with the store's app
 * secret, header X-Shopify-Hmac-Sha256) is checked on the raw bytes, in
 * constant time, before anything is parsed. Missing or wrong → 401; over 5 MB
 * → 413; not JSON, or past a limit (ingest/edge-check.ts) → 400. A refused
 * delivery leaves only a log row without its body. An accepted one is committed before the 200 (see WebhookBatcher.receive in ingest/webhook-batcher.ts).
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, RequestHandler } from 'express';
import getRawBody from 'raw-body';
import { type ErrorKind, HTTP_STATUS } from '../../../shared/contract/errors';
import type { Logger } from '../clock';
import { findShopByDomain, shopifySecretName } from '../connections/shopify-connections';
import type { EngineContext } from '../context';
import { storageHealthOf } from '../db/storage-health';
import { RETRY_AFTER_S } from '../db/storage-problem';
import { checkShopifyDelivery } from '../ingest/edge-check';
import { webhooksOf } from '../ingest/webhook-batcher';
import { logDelivery, type Outcome } from '../ingest/webhook-intake';

export const SHOPIFY_WEBHOOK_PATH = '/webhooks/shopify';
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export function shopifySignature(secret: string, raw: Buffer | string): string {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

export function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A JSON answer with the listeners' wire shape. */
export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function answerError(res: ServerResponse, kind: ErrorKind, message: string): void {
  answerJson(res, HTTP_STATUS[kind], { ok: false, error: { kind, message } });
}

/** Is this request for the Shopify receiver? */
export function isShopifyDelivery(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !req.url) return false;
  const query = req.url.indexOf('?');
  return (query < 0 ? req.url : req.url.slice(0, query)) === SHOPIFY_WEBHOOK_PATH;
}

export function createShopifyReceiver(
  ctx: EngineContext,
  limiter: RequestHandler,
  logger: Logger,
  /** The listener's express app: the limiter reads its settings (trust proxy) from the request. */
  app: Express,
): (req: IncomingMessage, res: ServerResponse) => void {
  const header = (req: IncomingMessage, name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const refuse = (req: IncomingMessage, outcome: Outcome, detail: string, brandId: number | null = null) => {
    logDelivery(ctx.db, {
      provider: 'shopify',
      brandId,
      topic: header(req, 'x-shopify-topic') ?? null,
      outcome,
      detail,
      receivedAt: ctx.clock.now().getTime(),
    });
  };

  const receive = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await getRawBody(req, { limit: MAX_WEBHOOK_BYTES, length: header(req, 'content-length') });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') {
        refuse(req, 'too_large', `body over ${MAX_WEBHOOK_BYTES / 1024 / 1024} MB`);
        // The rest of an over-long body is not read: the connection closes after the answer.
        res.setHeader('connection', 'close');
        answerJson(res, 413, { ok: false, error: { kind: 'validation', message: 'The body is larger than 5 MB.' } });
        req.resume();
        return;
      }
      answerError(res, 'validation', 'The request could not be read.');
      return;
    }
    const domain = header(req, 'x-shopify-shop-domain') ?? '';
    const topic = header(req, 'x-shopify-topic') ?? '';
    const shop = findShopByDomain(ctx.db, domain);
    if (!shop) {
      refuse(req, 'unknown_shop', domain ? `no shop ${domain} is connected` : 'no X-Shopify-Shop-Domain header');
      answerError(res, 'auth', 'This store is not connected to ConstIntel.');
      return;
    }
    const secret = ctx.secrets.get(shopifySecretName(shop.brandId));
    const given = header(req, 'x-shopify-hmac-sha256');
    if (!secret || !given || !sameSignature(given, shopifySignature(secret, raw))) {
      refuse(
        req,
        'bad_signature',
        !secret ? 'no app secret saved for this store' : given ? 'signature does not match' : 'no signature',
        shop.brandId,
      );
      answerError(res, 'auth', 'The webhook signature is missing or wrong.');
      return;
    }
    if (topic === '') {
      refuse(req, 'invalid', 'no X-Shopify-Topic header', shop.brandId);
      answerError(res, 'validation', 'X-Shopify-Topic header is missing.');
      return;
    }
    const text = raw.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      refuse(req, 'invalid', 'body is not JSON', shop.brandId);
      answerError(res, 'validation', 'The body is not JSON.');
      return;
    }
    const checked = checkShopifyDelivery(topic, json, ctx.clock.now().getTime());
    if (checked.problem !== undefined) {
      refuse(req, 'invalid', `refused, breaks a limit: ${checked.problem}`, shop.brandId);
      answerError(res, 'validation', `The delivery breaks a limit: ${checked.problem}`);
      return;
    }
    const triggered = Date.parse(header(req, 'x-shopify-triggered-at') ?? '');
    const result = await webhooksOf(ctx).receive({
      brandId: shop.brandId,
      topic,
      eventId: header(req, 'x-shopify-event-id') ?? null,
      webhookId: header(req, 'x-shopify-webhook-id') ?? null,
      triggeredAt: Number.isFinite(triggered) ? triggered : null,
      raw: text,
      json,
      mapped: checked.mapped,
    });
    storageHealthOf(ctx).ok();
    answerJson(res, 200, { ok: true, duplicate: result.duplicate, delivery: result.deliveryId });
  };

  return (req, res) => {
    // The limiter keys on the sender's address as express would give it (no proxy is trusted), and checks
    // the app's proxy setting, so it sees what it would see behind express.
    Object.defineProperty(req, 'ip', { value: req.socket.remoteAddress, configurable: true });
    Object.defineProperty(req, 'app', { value: app, configurable: true });
    const fail = (error: unknown) => {
      const problem = storageHealthOf(ctx).failed(error);
      if (!problem) logger.error('Receiving a Shopify delivery failed', error);
      if (res.headersSent) res.destroy();
      else if (problem) {
        // Not stored, so not acknowledged: Shopify sends it again.
        res.setHeader('Retry-After', String(RETRY_AFTER_S));
        answerError(res, 'unavailable', problem.message);
      } else answerError(res, 'internal', 'Something went wrong inside ConstIntel. Details are in the log.');
    };
    const next = (error?: unknown) => {
      if (error) fail(error);
      else receive(req, res).catch(fail);
    };
    Promise.resolve(limiter(req as Parameters<RequestHandler>[0], res as Parameters<RequestHandler>[1], next)).catch(
      fail,
    );
  };
}
