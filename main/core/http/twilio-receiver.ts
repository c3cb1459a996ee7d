/**
 * Twilio's webhooks on the ingest listener (through the shop's tunnel):
 * - POST /webhooks/twilio/status: the status callback each SMS send asks for (channels/twilio-status.ts);
 * - POST /webhooks/twilio/sms: a customer's text to the shop's number → a `message_in` row on the customer who owns
 *   the number (or none), and STOP / START / STOPALL applied to their consent (channels/consent.ts).
 * Both are form-encoded and signed: X-Twilio-Signature = base64 HMAC-SHA1, keyed with the auth token, of the URL
 * Twilio called — the shop's public address, not the loopback one this listener sees — followed by every POST field
 * name and value, sorted by name. Without a public address (403) or an auth token (401) nothing can be checked, so
 * nothing is taken; a wrong or missing signature is 401. Every answer is logged (provider 'twilio').
 *
 * The signature is written here rather than taken from the `twilio` package: that package is the whole REST client
 * (tens of megabytes with its dependencies) and its check is these dozen lines; the test against Twilio's published
 * example (test/integration/http/twilio-webhooks.test.ts) keeps them honest.
 */
import { createHmac } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { SECRET_NAMES } from '../channels/channel-settings';
import { applyKeyword, type KeywordResult } from '../channels/consent';
import { applyTwilioStatus } from '../channels/twilio-status';
import { publicUrlOf, TWILIO_SMS_PATH, TWILIO_STATUS_PATH } from '../connections/public-address';
import type { EngineContext } from '../context';
import { findOwner } from '../db/repos/identifiers';
import { insertMessageIn } from '../db/repos/message-in';
import { storageHealthOf } from '../db/storage-health';
import { logDelivery, type Outcome } from '../ingest/webhook-intake';
import { sameSignature } from './shopify-receiver';

/** Twilio's form bodies are a few kilobytes (an MMS adds media links); anything bigger is not Twilio. */
const MAX_TWILIO_BYTES = 64 * 1024;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** The X-Twilio-Signature for a request to `url` with these form fields. */
export function twilioSignature(
  authToken: string,
  url: string,
  fields: readonly (readonly [string, string])[],
): string {
  const sorted = [...fields].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The same URL with and without its scheme's default port: Twilio signs whichever it called. */
function urlForms(url: string): string[] {
  const parsed = new URL(url);
  if (parsed.port) return [url];
  const withPort = `${parsed.protocol}//${parsed.hostname}:${parsed.protocol === 'https:' ? 443 : 80}${parsed.pathname}${parsed.search}`;
  return [url, withPort];
}

export function validTwilioSignature(
  authToken: string,
  url: string,
  fields: readonly (readonly [string, string])[],
  given: string,
): boolean {
  return given !== '' && urlForms(url).some((u) => sameSignature(given, twilioSignature(authToken, u, fields)));
}

export function createTwilioReceiver(ctx: EngineContext): Router {
  const router = express.Router();
  const now = () => ctx.clock.now().getTime();
  // No delivery key: repeats are recognised by message_in and message_delivery_update, whose rows an erasure
  // deletes, so a key kept here could refuse a later repeat of an erased customer's delivery with a conflict.
  const log = (topic: string, outcome: Outcome, detail: string) =>
    logDelivery(ctx.db, {
      provider: 'twilio',
      brandId: ctx.brandId,
      topic,
      outcome,
      detail,
      receivedAt: now(),
    });

  /** The verified form fields, or null after answering the refusal. */
  function verified(req: Request, res: Response, topic: string): URLSearchParams | null {
    const base = publicUrlOf(ctx.db);
    if (base === null) {
      log(topic, 'bad_signature', 'refused: no public address is set, so Twilio’s signature cannot be checked');
      res.status(403).type('text/plain').send('Forbidden: this shop has no public address set in ConstIntel.');
      return null;
    }
    const token = ctx.secrets.get(SECRET_NAMES.sms);
    if (!token) {
      log(topic, 'bad_signature', 'refused: no Twilio auth token is saved (Settings → Channels)');
      res.status(401).type('text/plain').send('Unauthorized: Twilio is not connected in ConstIntel.');
      return null;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const form = new URLSearchParams(raw);
    const given = req.get('x-twilio-signature') ?? '';
    if (!validTwilioSignature(token, `${base}${req.originalUrl}`, [...form.entries()], given)) {
      log(
        topic,
        'bad_signature',
        given
          ? `signature does not match (checked against ${base}${req.originalUrl}: is the public address the one Twilio calls?)`
          : 'no signature',
      );
      res.status(401).type('text/plain').send('Unauthorized: the X-Twilio-Signature is missing or wrong.');
      return null;
    }
    return form;
  }

  const invalid = (res: Response, topic: string, detail: string) => {
    log(topic, 'invalid', detail);
    res.status(400).type('text/plain').send(`Bad request: ${detail}.`);
  };
  const answer = (res: Response) => {
    storageHealthOf(ctx).ok();
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  };
  const body = express.raw({ type: () => true, limit: MAX_TWILIO_BYTES });

  router.post(TWILIO_STATUS_PATH, body, (req, res) => {
    const form = verified(req, res, 'status');
    if (!form) return;
    const messageSid = form.get('MessageSid') ?? form.get('SmsSid') ?? '';
    const status = form.get('MessageStatus') ?? form.get('SmsStatus') ?? '';
    if (!/^(SM|MM)[0-9a-fA-F]{32}$/.test(messageSid) || !/^[a-z_]{1,30}$/.test(status))
      return invalid(res, 'status', 'no MessageSid or MessageStatus in the status callback');
    const to = form.get('To');
    const result = ctx.db.sqlite
      .transaction(() => {
        const applied = applyTwilioStatus(
          ctx.db,
          {
            brandId: ctx.brandId,
            messageSid,
            status,
            errorCode: form.get('ErrorCode') || null,
            to: to && /^\+?[0-9]{6,15}$/.test(to) ? (to.startsWith('+') ? to : `+${to}`) : null,
          },
          now(),
        );
        if (applied.fresh) log('status', 'accepted', applied.detail);
        else log('status', 'duplicate', applied.detail);
        return applied;
      })
      .immediate();
    if (result.optedOut !== null) ctx.bus.emit('profiles.changed', [result.optedOut]);
    answer(res);
  });

  router.post(TWILIO_SMS_PATH, body, (req, res) => {
    const form = verified(req, res, 'sms');
    if (!form) return;
    const messageSid = form.get('MessageSid') ?? form.get('SmsSid') ?? '';
    const from = form.get('From') ?? '';
    const text = form.get('Body') ?? '';
    if (!/^(SM|MM)[0-9a-fA-F]{32}$/.test(messageSid) || !from)
      return invalid(res, 'sms', 'no MessageSid or From in the incoming message');
    if (text.length > 10_000) return invalid(res, 'sms', 'the message text is longer than any SMS');
    const at = now();
    const result = ctx.db.sqlite
      .transaction(
        (): { detail: string; fresh: boolean; keyword: KeywordResult | undefined; profileId: number | null } => {
          const profileId = /^\+[0-9]{6,15}$/.test(from)
            ? (findOwner(ctx.db, ctx.brandId, 'phone', from)?.profileId ?? null)
            : null;
          const id = insertMessageIn(ctx.db, {
            brandId: ctx.brandId,
            profileId,
            channel: 'sms',
            fromAddress: from,
            body: text,
            providerMessageId: messageSid,
            receivedAt: at,
          });
          if (id === null) {
            const detail = `${messageSid} already received; nothing changed`;
            log('sms', 'duplicate', detail);
            return { detail, fresh: false, keyword: undefined, profileId };
          }
          let keyword: KeywordResult | undefined;
          if (profileId !== null) {
            keyword = applyKeyword(ctx.db, { profileId, channel: 'sms', text, at });
            // Twilio recognised a keyword ConstIntel's list does not (its own, or one the shop added in Twilio).
            const optOutType = (form.get('OptOutType') ?? '').toUpperCase();
            if (!keyword && (optOutType === 'STOP' || optOutType === 'START'))
              keyword = applyKeyword(ctx.db, { profileId, channel: 'sms', text: optOutType, at });
          }
          const who = profileId === null ? 'from a number no customer has' : `from customer #${profileId}`;
          const what = keyword
            ? `; “${keyword.keyword}”: ${keyword.state === 'opted_out' ? 'opted out of' : 'opted back in to'} ${keyword.channels.join(', ')}`
            : '';
          const detail = `text #${id} ${who}${what}`;
          log('sms', 'accepted', detail);
          return { detail, fresh: true, keyword, profileId };
        },
      )
      .immediate();
    if (result.keyword && result.profileId !== null) ctx.bus.emit('profiles.changed', [result.profileId]);
    answer(res);
  });

  router.use(
    '/webhooks/twilio',
    (error: { type?: string }, _req: Request, res: Response, next: (e?: unknown) => void) => {
      if (error.type !== 'entity.too.large') return next(error);
      log('other', 'too_large', `body over ${MAX_TWILIO_BYTES / 1024} KB`);
      res.status(413).type('text/plain').send('Payload too large.');
    },
  );
  return router;
}
