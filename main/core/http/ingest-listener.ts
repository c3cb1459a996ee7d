/**
 * The ingest listener: where Shopify, WhatsApp and the public event API will
 * reach the shop (through a tunnel the shop sets up): `GET /healthz`, the
 * public event API under `/api/v1`, and webhooks under `/webhooks`;
 * everything else is a JSON 404.
 */
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from '../clock';
import type { Core } from '../core';
import { jsonErrorHandler, sendError } from './errors';
import { createEventApi } from './event-api';
import { createWebhooks } from './webhooks';

/** Requests per 10 seconds from one address before 429 (5,000 a second). */
export const DEFAULT_RATE_LIMIT_PER_10S = 50_000;

export function createIngestListener(options: {
  version: string;
  logger: Logger;
  core: Core;
  rateLimitPer10s?: number;
}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', service: 'constintel-ingest', version: options.version });
  });
  // Per sending address: generous enough for a busy shop's Shopify and API traffic (all of which arrives from one
  // tunnel address), a wall against floods. Over it, 429: Shopify and WhatsApp retry, so nothing is lost.
  app.use(
    rateLimit({
      windowMs: 10_000,
      limit: options.rateLimitPer10s ?? DEFAULT_RATE_LIMIT_PER_10S,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => {
        res.status(429).json({
          ok: false,
          error: { kind: 'unavailable', message: 'Too many requests; try again in a few seconds.' },
        });
      },
    }),
  );
  app.use('/api/v1', createEventApi(options.core));
  app.use('/webhooks', createWebhooks(options.core));
  app.use((_req, res) => sendError(res, 'not_found', 'Nothing here.'));
  app.use(jsonErrorHandler(options.logger));
  return app;
}
