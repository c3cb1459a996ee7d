/**
 * The event API key: whoever holds it can add events (and so customers) to the shop's data. It lives in the
 * secret store (the user-only secrets file, each value encrypted with the OS keychain in the desktop app), not in
 * the data file, so a copy of constintel.db — a backup, a file sent for support — does not carry it.
 *
 * Earlier versions kept it in the `setting` table. `moveApiKeyToSecrets` is the data step that moves it, run at
 * every start before anything reads the key (a no-op once done): the same key, so scripts sending it keep working.
 * It writes the secret first and deletes the row second, so a crash in between leaves the row to be moved again;
 * a row found while the store already holds a key can only have been written by an earlier version run since,
 * so the row wins.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { setting } from '../db/schema';
import type { SecretStore } from './secret-store';

export const EVENT_API_KEY = 'eventApi.key';
/** Where earlier versions kept it, as a JSON string in `setting.value`. */
const SETTING_KEY = 'api.key';

/** The key, made on first use. */
export function readApiKey(secrets: SecretStore): string {
  const key = secrets.get(EVENT_API_KEY);
  if (key !== undefined) return key;
  // Saved, but encrypted with a keychain this process cannot use: making a new one would silently lock out every
  // script sending the old one.
  if (secrets.has(EVENT_API_KEY)) {
    throw new AppError(
      'unavailable',
      "The event API key is saved encrypted with this computer's keychain and cannot be read here. See it in the desktop app under Settings → Event API, or replace it (`constintel api-key --rotate`); scripts then need the new key.",
    );
  }
  return rotateApiKey(secrets);
}

/** A new key; the old one stops working as soon as the event API sees the change (at most half a second). */
export function rotateApiKey(secrets: SecretStore): string {
  const key = `ci_${randomBytes(24).toString('base64url')}`;
  secrets.set(EVENT_API_KEY, key);
  return key;
}

/** Moves a key an earlier version kept in the `setting` table into the secret store. True when there was one. */
export function moveApiKeyToSecrets(db: Database, secrets: SecretStore): boolean {
  const row = db.orm.select().from(setting).where(eq(setting.key, SETTING_KEY)).get();
  if (!row) return false;
  const key = parseKey(row.value);
  // An unreadable value was no working key: dropped, and a new one is made when first needed.
  if (key !== undefined) secrets.set(EVENT_API_KEY, key);
  // Deleted content is overwritten rather than left in the page's free space, and the log's copy of the page
  // (the -wal file) is folded into the data file and emptied.
  const secureDelete = db.sqlite.pragma('secure_delete', { simple: true });
  db.sqlite.pragma('secure_delete = ON');
  try {
    db.orm.delete(setting).where(eq(setting.key, SETTING_KEY)).run();
  } finally {
    db.sqlite.pragma(`secure_delete = ${Number(secureDelete) === 1 ? 'ON' : 'OFF'}`);
  }
  if (db.file !== ':memory:') db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return true;
}

function parseKey(value: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' && parsed !== '' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
