/**
 * WhatsApp webhook receivers on the ingest listener (Shopify's is
 * shopify-receiver.ts, in front of express).
 *
 * GET /webhooks/whatsapp: Meta's handshake (hub.verify_token must match the
 * saved verify token → 200 with hub.challenge, else 403).
 * POST /webhooks/whatsapp: X-Hub-Signature-256 = sha256=<hex HMAC of the raw
 * body with the app secret>; wrong or missing → 401; not JSON, or past a
 * limit (ingest/edge-check.ts) → 400, and nothing of it is kept but the log line.
 */

import { createHmac } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { REACH_CHECK_PATH, reachAnswer } from '../connections/reach-check';
import { WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN } from '../connections/whatsapp-connection';
import type { EngineContext } from '../context';
import { storageHealthOf } from '../db/storage-health';
import { whatsappLimitProblem } from '../ingest/edge-check';
import { receiveWhatsAppDelivery } from '../ingest/ingest-service';
import { logDelivery, type Outcome } from '../ingest/webhook-intake';
import { sendError } from './errors';
import { MAX_WEBHOOK_BYTES, sameSignature } from './shopify-receiver';
import { createTwilioReceiver } from './twilio-receiver';

/**
 * Mounts the WhatsApp and Twilio receivers on the ingest listener's express app, and the reach check of the shop's
 * public address (connections/reach-check.ts): `GET /webhooks/reach-check/<nonce>` answers the nonce with this
 * process's proof, so "Check it reaches this PC" knows the tunnel leads here.
 */
export function mountWebhooks(app: Express, ctx: EngineContext): void {
  app.get(`${REACH_CHECK_PATH}/:nonce`, (req, res) => {
    const nonce = req.params.nonce;
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(nonce)) return sendError(res, 'validation', 'The check code is not one.');
    res.set('Cache-Control', 'no-store').json(reachAnswer(nonce));
  });
  app.use(createTwilioReceiver(ctx));
  const { router, tooLarge } = createWebhooks(ctx);
  app.use('/webhooks', router);
  app.use('/webhooks', tooLarge);
}

function createWebhooks(ctx: EngineContext): { router: Router; tooLarge: ErrorRequestHandler } {
  const router = express.Router();

  // Meta's subscription handshake: echo the challenge when the verify token matches.
  router.get('/whatsapp', (req, res) => {
    const token = ctx.secrets.get(WHATSAPP_VERIFY_TOKEN);
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
    const secret = ctx.secrets.get(WHATSAPP_APP_SECRET);
    const header = req.get('x-hub-signature-256') ?? '';
    const given = header.startsWith('sha256=') ? header.slice(7) : '';
    const refuseWa = (outcome: Outcome, detail: string) =>
      logDelivery(ctx.db, {
        provider: 'whatsapp',
        brandId: null,
        topic: null,
        outcome,
        detail,
        receivedAt: ctx.clock.now().getTime(),
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
    const problem = whatsappLimitProblem(json, ctx.clock.now().getTime());
    if (problem) {
      refuseWa('invalid', `refused, breaks a limit: ${problem}`);
      sendError(res, 'validation', `The delivery breaks a limit: ${problem}`);
      return;
    }
    const result = receiveWhatsAppDelivery(ctx, raw.toString('utf8'), json);
    storageHealthOf(ctx).ok();
    res.status(200).json({ ok: true, duplicate: result.duplicate, delivery: result.deliveryId });
  });

  const tooLarge: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    if (error.type !== 'entity.too.large') return next(error);
    logDelivery(ctx.db, {
      provider: 'whatsapp',
      brandId: null,
      topic: null,
      outcome: 'too_large',
      detail: `body over ${MAX_WEBHOOK_BYTES / 1024 / 1024} MB`,
      receivedAt: ctx.clock.now().getTime(),
    });
    res.status(413).json({ ok: false, error: { kind: 'validation', message: 'The body is larger than 5 MB.' } });
  };
  return { router, tooLarge };
}
