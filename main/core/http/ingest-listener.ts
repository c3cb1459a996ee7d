/**
 * The ingest listener: where Shopify, WhatsApp and the public event API will
 * reach the shop (through a tunnel the shop sets up): `GET /healthz`, the
 * public event API under `/api/v1`, and webhooks under `/webhooks`;
 * everything else is a JSON 404.
 */
import express from 'express';
import type { Logger } from '../clock';
import type { Core } from '../core';
import { jsonErrorHandler, sendError } from './errors';
import { createEventApi } from './event-api';
import { createWebhooks } from './webhooks';

export function createIngestListener(options: { version: string; logger: Logger; core: Core }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', service: 'constintel-ingest', version: options.version });
  });
  app.use('/api/v1', createEventApi(options.core));
  app.use('/webhooks', createWebhooks(options.core));
  app.use((_req, res) => sendError(res, 'not_found', 'Nothing here.'));
  app.use(jsonErrorHandler(options.logger));
  return app;
}
