/**
 * The email unsubscribe of RFC 8058. Every marketing email carries `List-Unsubscribe`: with the shop's public
 * address, `<https://…/u/TOKEN>, <mailto:FROM?subject=unsubscribe>` and `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click` (the mail provider's POST to the https link unsubscribes with no second click; a GET
 * shows a page with one button, because link scanners fetch links); without one, only the mailto form, and the
 * owner records the unsubscribe mail with one click on Customer 360.
 *
 * TOKEN names the customer and is signed (HMAC-SHA256 with a key kept in the secret store, made on first use), so
 * nobody can unsubscribe someone else by guessing numbers. It does not expire: an old email's link must still work.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { publicUrlOf } from '../connections/public-address';
import type { EngineContext } from '../context';
import { readFields } from './channel-settings';

export const UNSUBSCRIBE_KEY = 'unsubscribe.key';
/** The path under the public address (served by the ingest listener, which the tunnel exposes). */
export const UNSUBSCRIBE_PATH = '/u';

function keyOf(ctx: EngineContext): string {
  let key = ctx.secrets.get(UNSUBSCRIBE_KEY);
  if (!key) {
    key = randomBytes(32).toString('base64url');
    ctx.secrets.set(UNSUBSCRIBE_KEY, key);
  }
  return key;
}

function mac(ctx: EngineContext, profileId: number): string {
  return createHmac('sha256', keyOf(ctx)).update(`${ctx.brandId}:${profileId}`).digest('base64url').slice(0, 32);
}

/** The signed token that names this customer in their unsubscribe link. */
export function unsubscribeToken(ctx: EngineContext, profileId: number): string {
  return `${profileId}.${mac(ctx, profileId)}`;
}

/** The customer a token names, or null when it is malformed or its signature does not match. */
export function profileOfUnsubscribeToken(ctx: EngineContext, token: string): number | null {
  const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return null;
  const profileId = Number(match[1]);
  if (!Number.isSafeInteger(profileId)) return null;
  const expected = Buffer.from(mac(ctx, profileId));
  const given = Buffer.from(match[2] ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given) ? profileId : null;
}

/** The https unsubscribe link for this customer, or null while the shop has no public address. */
export function unsubscribeUrl(ctx: EngineContext, profileId: number): string | null {
  const base = publicUrlOf(ctx.db);
  return base === null ? null : `${base}${UNSUBSCRIBE_PATH}/${unsubscribeToken(ctx, profileId)}`;
}

/** The `mailto:` unsubscribe to the shop's From address, or null while email is not set up. */
export function unsubscribeMailto(ctx: EngineContext): string | null {
  const from = readFields(ctx.db, 'email')?.fromAddress;
  return from ? `mailto:${from}?subject=unsubscribe` : null;
}

/** The RFC 8058 headers for a marketing email to this customer (empty when neither form is available). */
export function listUnsubscribeHeaders(ctx: EngineContext, profileId: number | null): Record<string, string> {
  const https = profileId === null ? null : unsubscribeUrl(ctx, profileId);
  const mailto = unsubscribeMailto(ctx);
  const links = [https, mailto].filter((l): l is string => l !== null).map((l) => `<${l}>`);
  if (links.length === 0) return {};
  const headers: Record<string, string> = { 'List-Unsubscribe': links.join(', ') };
  if (https !== null) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return headers;
}
