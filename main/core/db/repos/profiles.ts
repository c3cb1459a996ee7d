/**
 * The `customer_profile` rows and the redirects merged-away ids leave behind. Prepared once per connection
 * (statements are cached on the handle) because ingestion runs them for every event.
 */
import { clampMoney, MAX_TOTAL } from '../../../../shared/limits';
import { profileStrength } from '../../identity/strength';
import type { Database } from '../open';
import { stmt } from '../statements';
import { primeSteadyOf, steadyOf } from '../steady-reads';

export interface ProfileRow {
  id: number;
  brand_id: number;
  first_name: string | null;
  last_name: string | null;
  search_name: string | null;
  search_last: string | null;
  lifetime_value: number;
  total_orders: number;
  strength: number;
  email_consent: number | null;
  sms_consent: number | null;
  whatsapp_consent: number | null;
  first_seen_at: number | null;
  last_seen_at: number | null;
  last_purchase_at: number | null;
  created_at: number;
  updated_at: number;
}

export function getProfile(db: Database, id: number): ProfileRow | undefined {
  return stmt(db, 'SELECT * FROM customer_profile WHERE id = ?').get(id) as ProfileRow | undefined;
}

export function getProfiles(db: Database, ids: readonly number[]): ProfileRow[] {
  return ids.map((id) => getProfile(db, id)).filter((p): p is ProfileRow => p !== undefined);
}

/** The first name alone (a message's {{first_name}}, thousands at a time from an automation). */
export function firstNameOf(db: Database, id: number): string | null {
  return steadyOf(
    'first name',
    id,
    () => (stmt(db, 'SELECT first_name FROM customer_profile WHERE id = ?').pluck().get(id) as string | null) ?? null,
  );
}

export function profileExists(db: Database, id: number): boolean {
  return steadyOf('exists', id, () => stmt(db, 'SELECT 1 FROM customer_profile WHERE id = ?').get(id) !== undefined);
}

/** The steady-reads kinds primeProfiles fills. */
export const PROFILE_KINDS = ['exists', 'first name', 'redirect'] as const;

/**
 * For a chunk of an automation sweep inside steady reads: each profile's first name and whether it exists, and
 * which have no redirect (not merged away), read at once (a statement per customer costs more than its reading).
 */
export function primeProfiles(db: Database, ids: readonly number[]): void {
  const list = JSON.stringify(ids);
  const names = new Map(
    (
      stmt(
        db,
        'SELECT id, first_name AS firstName FROM customer_profile WHERE id IN (SELECT value FROM json_each(?))',
      ).all(list) as { id: number; firstName: string | null }[]
    ).map((r) => [r.id, r.firstName]),
  );
  const redirected = new Set(
    stmt(db, 'SELECT from_profile_id FROM profile_redirect WHERE from_profile_id IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(list) as number[],
  );
  for (const id of ids) {
    primeSteadyOf('exists', id, names.has(id));
    primeSteadyOf('first name', id, names.get(id) ?? null);
    if (!redirected.has(id)) primeSteadyOf('redirect', id, undefined);
  }
}

export function searchKeys(
  firstName: string | null,
  lastName: string | null,
): { name: string | null; last: string | null } {
  const name = [firstName, lastName].filter(Boolean).join(' ').trim().toLowerCase();
  return { name: name === '' ? null : name, last: lastName ? lastName.trim().toLowerCase() : null };
}

export function insertProfile(
  db: Database,
  row: { brandId: number; firstName: string | null; lastName: string | null; now: number },
): number {
  const keys = searchKeys(row.firstName, row.lastName);
  const result = stmt(
    db,
    `INSERT INTO customer_profile (brand_id, first_name, last_name, search_name, search_last, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.brandId, row.firstName, row.lastName, keys.name, keys.last, row.now, row.now);
  return Number(result.lastInsertRowid);
}

/** Puts a profile back as a merge snapshot holds it (its own id), for an undo. */
export function restoreProfile(db: Database, profile: ProfileRow, now: number): void {
  stmt(
    db,
    `INSERT INTO customer_profile (id, brand_id, first_name, last_name, search_name, search_last, lifetime_value, total_orders, strength,
       email_consent, sms_consent, whatsapp_consent, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
     VALUES (@id, @brand_id, @first_name, @last_name, @search_name, @search_last, @lifetime_value, @total_orders, @strength,
       @email_consent, @sms_consent, @whatsapp_consent, @first_seen_at, @last_seen_at, @last_purchase_at, @created_at, @updated_at)`,
  ).run({ ...profile, updated_at: now });
}

export function deleteProfile(db: Database, id: number): void {
  stmt(db, 'DELETE FROM customer_profile WHERE id = ?').run(id);
}

export function refreshStrength(db: Database, profileId: number): void {
  const types = stmt(db, 'SELECT type FROM profile_identifier WHERE profile_id = ?').pluck().all(profileId) as string[];
  stmt(db, 'UPDATE customer_profile SET strength = ? WHERE id = ?').run(profileStrength(types), profileId);
}

export function setNames(db: Database, profileId: number, firstName: string | null, lastName: string | null): void {
  const keys = searchKeys(firstName, lastName);
  stmt(
    db,
    'UPDATE customer_profile SET first_name = ?, last_name = ?, search_name = ?, search_last = ? WHERE id = ?',
  ).run(firstName, lastName, keys.name, keys.last, profileId);
}

type Consent = number | null;

/** Consent flags stated by an event (null: not stated, kept as it is). */
export function updateConsent(db: Database, profileId: number, email: Consent, sms: Consent, whatsapp: Consent): void {
  stmt(
    db,
    `UPDATE customer_profile SET email_consent = coalesce(?, email_consent), sms_consent = coalesce(?, sms_consent),
       whatsapp_consent = coalesce(?, whatsapp_consent) WHERE id = ?`,
  ).run(email, sms, whatsapp, profileId);
}

/** A merge: the base keeps its consent where it has one, takes the other's where not, and the earlier creation. */
export function absorbProfileFields(db: Database, baseId: number, other: ProfileRow): void {
  stmt(
    db,
    `UPDATE customer_profile SET
         email_consent = coalesce(email_consent, ?), sms_consent = coalesce(sms_consent, ?), whatsapp_consent = coalesce(whatsapp_consent, ?),
         created_at = min(created_at, ?)
       WHERE id = ?`,
  ).run(other.email_consent, other.sms_consent, other.whatsapp_consent, other.created_at, baseId);
}

/** An undo: the base's consent and creation as they were before the merge. */
export function restoreProfileFields(db: Database, baseId: number, base: ProfileRow): void {
  stmt(
    db,
    'UPDATE customer_profile SET email_consent = ?, sms_consent = ?, whatsapp_consent = ?, created_at = ? WHERE id = ?',
  ).run(base.email_consent, base.sms_consent, base.whatsapp_consent, base.created_at, baseId);
}

/** A new order of `total` at `occurredAt` added to the profile's totals and dates. */
export function addOrderToProfile(
  db: Database,
  profileId: number,
  total: number,
  occurredAt: number,
  now: number,
): void {
  stmt(
    db,
    `UPDATE customer_profile SET lifetime_value = max(min(round(lifetime_value + ?, 2), ${MAX_TOTAL}), ${-MAX_TOTAL}),
           total_orders = total_orders + 1,
           last_purchase_at = max(coalesce(last_purchase_at, ?), ?), first_seen_at = min(coalesce(first_seen_at, ?), ?),
           last_seen_at = max(coalesce(last_seen_at, ?), ?), updated_at = ?
         WHERE id = ?`,
  ).run(clampMoney(total), occurredAt, occurredAt, occurredAt, occurredAt, occurredAt, occurredAt, now, profileId);
}

/** The profile was seen at `occurredAt` (an event that does not change its totals). */
export function widenSeen(db: Database, profileId: number, occurredAt: number, now: number): void {
  stmt(
    db,
    `UPDATE customer_profile SET first_seen_at = min(coalesce(first_seen_at, ?), ?), last_seen_at = max(coalesce(last_seen_at, ?), ?), updated_at = ?
         WHERE id = ?`,
  ).run(occurredAt, occurredAt, occurredAt, occurredAt, now, profileId);
}

/** Strongest first, then oldest: the base of a merge, or the profile an ambiguous event attaches to. */
export function byStrength(a: ProfileRow, b: ProfileRow): number {
  return b.strength - a.strength || a.created_at - b.created_at || a.id - b.id;
}

/** The profile a merged-away id now lives in (following chains), or undefined if it was never merged. */
export function redirectOf(db: Database, profileId: number): number | undefined {
  return steadyOf('redirect', profileId, () => readRedirect(db, profileId));
}

function readRedirect(db: Database, profileId: number): number | undefined {
  let current = profileId;
  let hops = 0;
  for (;;) {
    const row = stmt(db, 'SELECT to_profile_id FROM profile_redirect WHERE from_profile_id = ?').get(current) as
      | { to_profile_id: number }
      | undefined;
    if (!row) return current === profileId ? undefined : current;
    current = row.to_profile_id;
    if (++hops > 1000) return current;
  }
}

/** A consent flag and the profile's consent, as the explanations read them. */
export function consentOf(db: Database, profileId: number): { e: Consent; s: Consent; w: Consent } | undefined {
  return stmt(
    db,
    'SELECT email_consent AS e, sms_consent AS s, whatsapp_consent AS w FROM customer_profile WHERE id = ?',
  ).get(profileId) as { e: Consent; s: Consent; w: Consent } | undefined;
}

/** Every profile of a brand with its strength and consent, streamed (the feature builder's one pass). */
export function streamProfileTraits(
  db: Database,
  brandId: number,
): IterableIterator<{ id: number; strength: number; e: Consent; s: Consent; w: Consent }> {
  return db.sqlite
    .prepare(
      'SELECT id, strength, email_consent AS e, sms_consent AS s, whatsapp_consent AS w FROM customer_profile WHERE brand_id = ?',
    )
    .iterate(brandId) as IterableIterator<{ id: number; strength: number; e: Consent; s: Consent; w: Consent }>;
}

/** How many of a brand's customers bought, and the lifetime value of the one at `offset` in value order. */
export function buyerCount(db: Database, brandId: number): number {
  return stmt(db, 'SELECT count(*) FROM customer_profile WHERE brand_id = ? AND total_orders > 0')
    .pluck()
    .get(brandId) as number;
}

export function buyerValueAt(db: Database, brandId: number, offset: number): number | undefined {
  return stmt(
    db,
    'SELECT lifetime_value FROM customer_profile WHERE brand_id = ? AND total_orders > 0 ORDER BY lifetime_value LIMIT 1 OFFSET ?',
  )
    .pluck()
    .get(brandId, offset) as number | undefined;
}

/** "First Last" of each of these customers that has a name (one query, for lists such as the Messages page). */
export function profileNames(db: Database, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = stmt(
    db,
    `SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) AS name
       FROM customer_profile WHERE id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids)) as { id: number; name: string }[];
  return new Map(rows.filter((r) => r.name !== '').map((r) => [r.id, r.name]));
}
