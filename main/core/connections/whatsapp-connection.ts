/**
 * The WhatsApp Business connection: the Meta app secret (signatures) and the
 * verify token (Meta's GET handshake) in the secret store, and the shop's
 * own WhatsApp numbers as seen in deliveries, kept so they never become a
 * customer's identifier.
 */
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { normalizePhone } from '../identity/normalize';
import type { SecretStore } from '../secrets/secret-store';

export const WHATSAPP_APP_SECRET = 'whatsapp.appSecret';
export const WHATSAPP_VERIFY_TOKEN = 'whatsapp.verifyToken';
const BUSINESS_NUMBERS = 'whatsapp.businessNumbers';

export function whatsappView(db: Database, secrets: SecretStore) {
  return {
    appSecretSaved: secrets.get(WHATSAPP_APP_SECRET) !== undefined,
    verifyTokenSaved: secrets.get(WHATSAPP_VERIFY_TOKEN) !== undefined,
    businessNumbers: businessNumbers(db),
  };
}

export function saveWhatsApp(
  secrets: SecretStore,
  args: { appSecret?: string | undefined; verifyToken?: string | undefined },
): void {
  if (args.appSecret) secrets.set(WHATSAPP_APP_SECRET, args.appSecret.trim());
  if (args.verifyToken) secrets.set(WHATSAPP_VERIFY_TOKEN, args.verifyToken.trim());
}

export function businessNumbers(db: Database): string[] {
  const raw = stmt(db, 'SELECT value FROM setting WHERE key = ?').pluck().get(BUSINESS_NUMBERS) as string | undefined;
  try {
    return raw ? (JSON.parse(raw) as string[]) : [];
  } catch {
    return [];
  }
}

/** Remembers the shop's own numbers from a delivery's metadata; true when a new one was added. */
export function rememberBusinessNumbers(db: Database, numbers: string[], defaultCountry: string, now: number): boolean {
  const known = new Set(businessNumbers(db));
  const before = known.size;
  for (const number of numbers) {
    const phone = normalizePhone(number.startsWith('+') ? number : `+${number.replace(/\D/g, '')}`, { defaultCountry });
    if (phone.ok) known.add(phone.value);
  }
  if (known.size === before) return false;
  stmt(
    db,
    `INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(BUSINESS_NUMBERS, JSON.stringify([...known].sort()), now);
  return true;
}
