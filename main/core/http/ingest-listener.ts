/**
 * The ingest listener: where Shopify, WhatsApp, Twilio and the public event API
 * reach the shop (through a tunnel the shop sets up): `GET /healthz`, the
 * public event API under `/api/v1`, webhooks under `/webhooks`, and the
 * one-click email unsubscribe under `/u` (http/unsubscribe-page.ts);
 * everything else is a JSON 404.
 */
import type { RequestListener } from 'node:http';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { UNSUBSCRIBE_PATH } from '../channels/unsubscribe-links';
import type { Logger } from '../clock';
import type { EngineContext } from '../context';
import { storageHealthOf } from '../db/storage-health';
import { jsonErrorHandler, sendError } from './errors';
import { createEventApi } from './event-api';
import { answerJson, createShopifyReceiver, isShopifyDelivery } from './shopify-receiver';
import { createUnsubscribePage } from './unsubscribe-page';
import { mountWebhooks } from './webhooks';

/** Requests per 10 seconds from one address before 429 (5,000 a second). */
export const DEFAULT_RATE_LIMIT_PER_10S = 50_000;
const WINDOW_MS = 10_000;

export function createIngestListener(options: {
  version: string;
  logger: Logger;
  ctx: EngineContext;
  rateLimitPer10s?: number;
}): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  // Answers are small and never cached: no ETag hashing on every reply.
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', service: 'constintel-ingest', version: options.version });
  });
  // Per sending address: generous enough for a busy shop's Shopify and API traffic (all of which arrives from one
  // tunnel address), a wall against floods. Over it, 429: Shopify and WhatsApp retry, so nothing is lost.
  const limit = options.rateLimitPer10s ?? DEFAULT_RATE_LIMIT_PER_10S;
  const limiter = rateLimit({
    windowMs: WINDOW_MS,
    limit,
    // The RateLimit headers are only sent with a 429 (writing them on every answer costs a twentieth of a
    // webhook's time under load).
    standardHeaders: false,
    legacyHeaders: false,
    // Plain Node calls only: the Shopify receiver in front of express shares this limiter.
    handler: (_req, res) => {
      res.setHeader('RateLimit-Policy', `"ingest";q=${limit};w=${WINDOW_MS / 1000}`);
      res.setHeader('Retry-After', String(WINDOW_MS / 1000));
      answerJson(res, 429, {
        ok: false,
        error: { kind: 'unavailable', message: 'Too many requests; try again in a few seconds.' },
      });
    },
  });
  app.use(limiter);
  app.use('/api/v1', createEventApi(options.ctx));
  mountWebhooks(app, options.ctx);
  app.use(UNSUBSCRIBE_PATH, createUnsubscribePage(options.ctx));
  app.use((_req, res) => sendError(res, 'not_found', 'Nothing here.'));
  app.use(jsonErrorHandler(options.logger, storageHealthOf(options.ctx)));
  const shopify = createShopifyReceiver(options.ctx, limiter, options.logger, app);
  return (req, res) => (isShopifyDelivery(req) ? shopify(req, res) : app(req, res));
}
