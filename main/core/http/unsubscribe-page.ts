/**
 * The one-click unsubscribe of RFC 8058 on the ingest listener, at `/u/<token>` under the shop's public address
 * (the link channels/unsubscribe-links.ts puts in every marketing email):
 * - GET shows a small page — "Unsubscribe a•••@example.com from <shop> emails?" — with one button. It changes
 *   nothing: mail scanners and link previews fetch every link in a mail, and must not unsubscribe anyone.
 * - POST unsubscribes: the mail provider's `List-Unsubscribe=One-Click` (the button in Gmail or Apple Mail), or the
 *   page's button. It records the email opt-out (source 'unsubscribe', dated now) and says so.
 * A token that is malformed, forged or names a customer no longer kept is a 404 page in words. Pages are plain
 * HTML with everything escaped, no script, and a Content-Security-Policy that allows only their own style.
 */
import { createHash } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { consentOf, recordConsent } from '../channels/consent';
import { profileOfUnsubscribeToken } from '../channels/unsubscribe-links';
import type { EngineContext } from '../context';
import { firstIdentifierValue } from '../db/repos/identifiers';
import { stmt } from '../db/statements';
import { readSettings } from '../settings/settings-store';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;color:#1d1d1f;background:#f5f5f7;margin:0;padding:2rem 1rem}' +
  'main{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:1.5rem 2rem}' +
  'h1{font-size:1.3rem;margin:0 0 1rem}button{font:inherit;padding:.6rem 1.2rem;border-radius:8px;border:0;' +
  'background:#1d1d1f;color:#fff;cursor:pointer}.small{color:#555;font-size:.9rem}';
const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** "ann@example.com" → "a•••@example.com": enough for the customer to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}

function page(res: Response, status: number, title: string, inner: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CSP,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'X-Robots-Tag': 'noindex',
    })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${inner}</main></body></html>`,
    );
}

const notFound = (res: Response) =>
  page(
    res,
    404,
    'Link not recognised',
    '<h1>This unsubscribe link is not recognised</h1><p>It may have been copied incompletely. Use the link in the email exactly as it is, or reply to the email and ask the shop to stop sending you emails.</p>',
  );

export function createUnsubscribePage(ctx: EngineContext): Router {
  const router = express.Router();

  /** The customer the token names, if they are still kept. */
  const customerOf = (token: string): number | null => {
    const id = profileOfUnsubscribeToken(ctx, token);
    if (id === null) return null;
    const kept = stmt(ctx.db, 'SELECT 1 FROM customer_profile WHERE id = ? AND brand_id = ?')
      .pluck()
      .get(id, ctx.brandId);
    return kept === undefined ? null : id;
  };
  const whoAndShop = (profileId: number) => {
    const email = firstIdentifierValue(ctx.db, profileId, 'email');
    return {
      who: escapeHtml(email ? maskEmail(email) : 'your email address'),
      shop: escapeHtml(readSettings(ctx.db).brandName),
    };
  };

  router.get('/:token', (req, res) => {
    const profileId = customerOf(req.params.token);
    if (profileId === null) return notFound(res);
    const { who, shop } = whoAndShop(profileId);
    if (consentOf(ctx.db, profileId).email.state === 'opted_out')
      return page(
        res,
        200,
        'Already unsubscribed',
        `<h1>You are already unsubscribed</h1><p>${who} gets no more emails from ${shop}${shop.endsWith('.') ? '' : '.'}</p>`,
      );
    page(
      res,
      200,
      `Unsubscribe from ${readSettings(ctx.db).brandName}`,
      `<h1>Unsubscribe ${who} from ${shop} emails?</h1>` +
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><input type="hidden" name="from" value="page">' +
        '<button type="submit">Unsubscribe</button></form>' +
        '<p class="small">Nothing changes until you press the button.</p>',
    );
  });

  router.post('/:token', express.raw({ type: () => true, limit: 8 * 1024 }), (req, res) => {
    const profileId = customerOf(req.params.token);
    if (profileId === null) return notFound(res);
    const form = new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    const detail =
      form.get('from') === 'page'
        ? 'unsubscribed on the page of the link in an email'
        : 'unsubscribed with one click in their mail app';
    const changed = ctx.db.sqlite
      .transaction(() => {
        if (consentOf(ctx.db, profileId).email.state === 'opted_out') return false;
        const now = ctx.clock.now().getTime();
        recordConsent(ctx.db, {
          profileId,
          channel: 'email',
          state: 'opted_out',
          source: 'unsubscribe',
          detail,
          occurredAt: now,
          now,
        });
        return true;
      })
      .immediate();
    if (changed) ctx.bus.emit('profiles.changed', [profileId]);
    const { who, shop } = whoAndShop(profileId);
    page(
      res,
      200,
      'You are unsubscribed',
      `<h1>You are unsubscribed</h1><p>${who} gets no more emails from ${shop}${shop.endsWith('.') ? '' : '.'}</p>`,
    );
  });
  return router;
}
