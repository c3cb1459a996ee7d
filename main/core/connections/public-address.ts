/**
 * The shop's public address: the https address of the tunnel that brings Shopify and WhatsApp webhooks to this PC
 * (Settings → Connections). Twilio status callbacks, inbound SMS and the one-click unsubscribe link are built on it,
 * and Twilio's signatures are checked against it (Twilio signs the URL it called, not the loopback one). Kept in
 * `setting` under `shop.publicUrl`, without a trailing slash; unset means those features are off and say why.
 */
import { smsConfig } from '../channels/channel-settings';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { steady } from '../db/steady-reads';
import type { SecretStore } from '../secrets/secret-store';

export const PUBLIC_URL_KEY = 'shop.publicUrl';

/** Where Twilio calls the shop, under the public address (served by http/twilio-receiver.ts). */
export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
export const TWILIO_SMS_PATH = '/webhooks/twilio/sms';

/** The status callback each SMS send asks Twilio for, or undefined while there is no public address. */
export function twilioStatusCallbackOf(db: Database): string | undefined {
  const base = publicUrlOf(db);
  return base === null ? undefined : `${base}${TWILIO_STATUS_PATH}`;
}

/** Why the features that need the public address are off while there is none, in the shop's words. */
export const NO_PUBLIC_ADDRESS =
  'Needs the shop’s public address (Settings → Connections): the https address of the tunnel that brings webhooks to this PC.';

/** The saved public address ("https://shop.example.com"), or null when none is set. */
export function publicUrlOf(db: Database): string | null {
  const raw = steady(
    'publicUrl',
    () => stmt(db, 'SELECT value FROM setting WHERE key = ?').pluck().get(PUBLIC_URL_KEY) as string | undefined,
  );
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'string' && value.startsWith('https://') ? value : null;
  } catch {
    return null;
  }
}

/**
 * Reads what the shop typed as a public address: an https URL with a host and nothing after it but slashes.
 * Returns the address without a trailing slash, or the problem in words.
 */
export function parsePublicUrl(input: string): { ok: true; url: string } | { ok: false; problem: string } {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `“${text.slice(0, 80)}” is not a web address (it should start with https://).` };
  }
  if (url.protocol !== 'https:')
    return { ok: false, problem: 'The public address must start with https:// (providers only call https addresses).' };
  if (url.username || url.password) return { ok: false, problem: 'The public address must not contain a password.' };
  if (url.search || url.hash)
    return { ok: false, problem: 'The public address must not have anything after a “?” or “#”.' };
  // The ingest listener answers at the root of the tunnel (/webhooks/…, /u/…): an address with a path, such as the
  // WhatsApp webhook address pasted whole, would make every link built on it (unsubscribe, Twilio) lead nowhere.
  if (url.pathname.replace(/\/+$/, '') !== '')
    return {
      ok: false,
      problem: `Give the address only up to the name, ${url.origin} (without ${url.pathname.replace(/\/+$/, '')}): ConstIntel adds /webhooks/… and the other paths itself.`,
    };
  return { ok: true, url: url.origin };
}

/** Saves the public address (already parsed), or clears it with null. */
export function savePublicUrl(db: Database, url: string | null, now: number): void {
  if (url === null) {
    stmt(db, 'DELETE FROM setting WHERE key = ?').run(PUBLIC_URL_KEY);
    return;
  }
  stmt(
    db,
    'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(PUBLIC_URL_KEY, JSON.stringify(url), now);
}

/** Why the Twilio features are off while SMS is not set up, in the shop's words. */
export const TWILIO_NOT_CONNECTED = 'Twilio is not connected: set up SMS in Settings → Channels.';

export interface PublicAddressView {
  url: string | null;
  twilioInboundSms: string | null;
  twilioStatusCallback: string | null;
  unsubscribeLinks: string | null;
  features: { name: string; on: boolean; why: string | null }[];
}

/** The public address, the addresses built on it, and each feature that needs it, on or off with why. */
export function publicAddressView(db: Database, secrets: SecretStore): PublicAddressView {
  const url = publicUrlOf(db);
  const twilio = smsConfig(db, secrets) !== undefined;
  const twilioWhy = url === null ? NO_PUBLIC_ADDRESS : twilio ? null : TWILIO_NOT_CONNECTED;
  return {
    url,
    twilioInboundSms: url === null ? null : `${url}${TWILIO_SMS_PATH}`,
    twilioStatusCallback: url === null ? null : `${url}${TWILIO_STATUS_PATH}`,
    // The path of channels/unsubscribe-links.ts (UNSUBSCRIBE_PATH), named here so this module imports nothing of it.
    unsubscribeLinks: url === null ? null : `${url}/u/…`,
    features: [
      { name: 'Twilio delivery reports', on: twilioWhy === null, why: twilioWhy },
      { name: 'Replies by SMS', on: twilioWhy === null, why: twilioWhy },
      { name: 'One-click unsubscribe', on: url !== null, why: url === null ? NO_PUBLIC_ADDRESS : null },
    ],
  };
}
