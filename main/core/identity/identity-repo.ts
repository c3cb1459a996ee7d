/**
 * SQL for profiles, identifiers, merges and reviews. Prepared once per
 * connection (statements are cached on the handle) because ingestion runs
 * them for every event.
 */
import { clampMoney, clampTotal, MAX_TOTAL } from '../../../shared/limits';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { profileStrength } from './strength';

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

export interface IdentifierRow {
  id: number;
  brand_id: number;
  profile_id: number;
  type: string;
  value: string;
  raw_value: string | null;
  source: string;
  first_seen_at: number;
  shared: number;
}

export function getProfile(db: Database, id: number): ProfileRow | undefined {
  return stmt(db, 'SELECT * FROM customer_profile WHERE id = ?').get(id) as ProfileRow | undefined;
}

export function getProfiles(db: Database, ids: readonly number[]): ProfileRow[] {
  return ids.map((id) => getProfile(db, id)).filter((p): p is ProfileRow => p !== undefined);
}

export function findProfileId(db: Database, brandId: number, type: string, value: string): number | undefined {
  const row = stmt(db, 'SELECT profile_id FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?').get(
    brandId,
    type,
    value,
  ) as { profile_id: number } | undefined;
  return row?.profile_id;
}

/** Who holds an identifier value, and whether it is known to be shared between people. */
export function findOwner(
  db: Database,
  brandId: number,
  type: string,
  value: string,
): { profileId: number; shared: boolean } | undefined {
  const row = stmt(
    db,
    'SELECT profile_id, shared FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?',
  ).get(brandId, type, value) as { profile_id: number; shared: number } | undefined;
  return row ? { profileId: row.profile_id, shared: row.shared === 1 } : undefined;
}

export function markShared(db: Database, brandId: number, type: string, value: string): void {
  stmt(db, 'UPDATE profile_identifier SET shared = 1 WHERE brand_id = ? AND type = ? AND value = ?').run(
    brandId,
    type,
    value,
  );
}

export function identifiersOf(db: Database, profileId: number): IdentifierRow[] {
  return stmt(db, 'SELECT * FROM profile_identifier WHERE profile_id = ? ORDER BY first_seen_at, id').all(
    profileId,
  ) as IdentifierRow[];
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

export function insertIdentifier(
  db: Database,
  row: {
    brandId: number;
    profileId: number;
    type: string;
    value: string;
    rawValue: string | null;
    source: string;
    now: number;
  },
): void {
  stmt(
    db,
    `INSERT INTO profile_identifier (brand_id, profile_id, type, value, raw_value, source, first_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id, type, value) DO NOTHING`,
  ).run(row.brandId, row.profileId, row.type, row.value, row.rawValue, row.source, row.now);
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

interface MoneyRow {
  id: number;
  event_type: string;
  order_id: string | null;
  total: number | null;
  occurred_at: number;
}

/**
 * Lifetime value and order count from the profile's own events: purchases
 * counted once per order (the same order from two sources counts once),
 * refunds subtracted, cancelled orders removed. Also first/last seen.
 * Each amount counts within the money limit and the sum is kept within
 * ±MAX_TOTAL (shared/limits.ts), so a total is always a finite number.
 */
export function recomputeTotals(db: Database, profileId: number, now: number): void {
  const rows = stmt(
    db,
    `SELECT id, event_type, payload ->> '$.orderId' AS order_id, payload ->> '$.total' AS total, occurred_at
     FROM customer_raw_event WHERE customer_profile_id = ? AND event_type IN ('purchase', 'refund', 'cancellation')`,
  ).all(profileId) as MoneyRow[];
  const orders = new Map<string, { total: number; at: number }>();
  const cancelled = new Set<string>();
  /** Refunds per order (or per refund, when the order is unknown). */
  const refunds = new Map<string, number>();
  for (const row of rows) {
    // An amount stored past the money limit (before there were limits) counts as at most the limit.
    const total = clampMoney(Number(row.total ?? 0) || 0);
    if (row.event_type === 'purchase') {
      const key = row.order_id ? `o:${row.order_id}` : `e:${row.id}`;
      const seen = orders.get(key);
      if (!seen || total > seen.total) orders.set(key, { total, at: Math.min(row.occurred_at, seen?.at ?? Infinity) });
    } else if (row.event_type === 'refund') {
      const key = row.order_id ? `o:${row.order_id}` : `r:${row.id}`;
      refunds.set(key, (refunds.get(key) ?? 0) + Math.abs(total));
    } else if (row.order_id) {
      cancelled.add(`o:${row.order_id}`);
    }
  }
  let value = 0;
  let count = 0;
  let lastPurchase: number | null = null;
  for (const [key, order] of orders) {
    if (cancelled.has(key)) continue;
    value += order.total;
    count += 1;
    if (lastPurchase === null || order.at > lastPurchase) lastPurchase = order.at;
  }
  // A cancelled order already counts nothing, so its refund must not subtract again; an order's refunds
  // never exceed what it cost. A refund for an order not seen here still lowers the total.
  for (const [key, amount] of refunds) {
    if (cancelled.has(key)) continue;
    const order = orders.get(key);
    value -= order ? Math.min(amount, order.total) : amount;
  }
  const seen = stmt(
    db,
    'SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM customer_raw_event WHERE customer_profile_id = ?',
  ).get(profileId) as { first: number | null; last: number | null };
  stmt(
    db,
    `UPDATE customer_profile SET lifetime_value = ?, total_orders = ?, last_purchase_at = ?, first_seen_at = ?, last_seen_at = ?, updated_at = ?
     WHERE id = ?`,
  ).run(clampTotal(Math.round(value * 100) / 100), count, lastPurchase, seen.first, seen.last, now, profileId);
  // The totals are now what the events add up to: anything an import had pending for them is in already.
  stmt(db, 'DELETE FROM profile_pending_totals WHERE profile_id = ?').run(profileId);
}

/**
 * Writes what imports have added to profiles' totals but not yet written (profile_pending_totals) into the
 * profiles, in one statement, and empties the table (or only the given profiles' rows). Always safe: totals plus
 * pending are the truth before and after. Returns how many profiles it settled.
 */
export function settlePendingTotals(db: Database, now: number, profileIds?: readonly number[]): number {
  const only = profileIds === undefined ? '' : 'AND p.profile_id IN (SELECT value FROM json_each(?))';
  const list = profileIds === undefined ? [] : [JSON.stringify(profileIds)];
  return db.sqlite
    .transaction(() => {
      const settled = stmt(
        db,
        `UPDATE customer_profile SET lifetime_value = max(min(round(customer_profile.lifetime_value + p.cents / 100.0, 2), ${MAX_TOTAL}), ${-MAX_TOTAL}),
           total_orders = customer_profile.total_orders + p.orders,
           last_purchase_at = CASE WHEN p.last_purchase_at IS NULL THEN customer_profile.last_purchase_at
             ELSE max(coalesce(customer_profile.last_purchase_at, p.last_purchase_at), p.last_purchase_at) END,
           first_seen_at = min(coalesce(customer_profile.first_seen_at, p.first_seen_at), p.first_seen_at),
           last_seen_at = max(coalesce(customer_profile.last_seen_at, p.last_seen_at), p.last_seen_at),
           updated_at = ?
         FROM profile_pending_totals p WHERE p.profile_id = customer_profile.id ${only}`,
      ).run(now, ...list).changes;
      stmt(
        db,
        `DELETE FROM profile_pending_totals ${profileIds === undefined ? '' : 'WHERE profile_id IN (SELECT value FROM json_each(?))'}`,
      ).run(...list);
      return settled;
    })
    .immediate();
}

/** The profile a merged-away id now lives in (following chains), or undefined if it was never merged. */
export function redirectOf(db: Database, profileId: number): number | undefined {
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

/** Strongest first, then oldest: the base of a merge, or the profile an ambiguous event attaches to. */
export function byStrength(a: ProfileRow, b: ProfileRow): number {
  return b.strength - a.strength || a.created_at - b.created_at || a.id - b.id;
}

/** Record that a profile uses a shared value (see `shared_identifier_use`). */
export function recordSharedUse(
  db: Database,
  brandId: number,
  type: string,
  value: string,
  profileId: number,
  at: number,
): void {
  stmt(
    db,
    'INSERT OR IGNORE INTO shared_identifier_use (brand_id, type, value, profile_id, first_seen_at) VALUES (?, ?, ?, ?, ?)',
  ).run(brandId, type, value, profileId, at);
}

/** How many profiles besides its holder were recorded using a shared value. */
export function sharedUseCount(db: Database, brandId: number, type: string, value: string): number {
  return stmt(db, 'SELECT count(*) FROM shared_identifier_use WHERE brand_id = ? AND type = ? AND value = ?')
    .pluck()
    .get(brandId, type, value) as number;
}

/** The live profiles using a shared value: its holder and everyone recorded with it, merged ids followed. */
export function sharedUsers(db: Database, brandId: number, type: string, value: string, holder: number): number[] {
  const recorded = stmt(
    db,
    'SELECT profile_id FROM shared_identifier_use WHERE brand_id = ? AND type = ? AND value = ? ORDER BY first_seen_at, profile_id',
  )
    .pluck()
    .all(brandId, type, value) as number[];
  const users = new Set<number>([holder]);
  for (const id of recorded) {
    const current = redirectOf(db, id) ?? id;
    if (stmt(db, 'SELECT 1 FROM customer_profile WHERE id = ?').get(current)) users.add(current);
  }
  return [...users];
}
