/**
 * Customers' totals (lifetime value, orders, first/last seen) worked out from their events, and the totals imports
 * have added but not yet written (`profile_pending_totals`, see ingest/ingest-batch.ts).
 */
import { clampMoney, clampTotal, EARLIEST_DATE, MAX_TOTAL } from '../../../../shared/limits';
import type { Database } from '../open';
import { stmt } from '../statements';

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

/** What one import chunk adds to a profile's totals, in whole cents. */
export interface PendingDelta {
  cents: number;
  orders: number;
  lastPurchase: number | null;
  firstSeen: number;
  lastSeen: number;
}

/** Adds a chunk's deltas to the profiles' pending totals (one small row per customer). */
export function addPendingTotals(db: Database, deltas: ReadonlyMap<number, PendingDelta>): void {
  const pending = stmt(
    db,
    `INSERT INTO profile_pending_totals (profile_id, cents, orders, last_purchase_at, first_seen_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile_id) DO UPDATE SET cents = cents + excluded.cents, orders = orders + excluded.orders,
         last_purchase_at = CASE WHEN excluded.last_purchase_at IS NULL THEN last_purchase_at
           ELSE max(coalesce(last_purchase_at, excluded.last_purchase_at), excluded.last_purchase_at) END,
         first_seen_at = min(first_seen_at, excluded.first_seen_at),
         last_seen_at = max(last_seen_at, excluded.last_seen_at)`,
  );
  for (const [profileId, d] of deltas)
    pending.run(profileId, d.cents, d.orders, d.lastPurchase, d.firstSeen, d.lastSeen);
}

/** Customers whose stored totals or dates are out of range (Infinity fails every range test). */
export function profilesPastLimits(db: Database, latest: number): number[] {
  return stmt(
    db,
    `SELECT id FROM customer_profile
     WHERE NOT (lifetime_value BETWEEN ${-MAX_TOTAL} AND ${MAX_TOTAL})
       OR first_seen_at NOT BETWEEN @earliest AND @latest
       OR last_seen_at NOT BETWEEN @earliest AND @latest
       OR last_purchase_at NOT BETWEEN @earliest AND @latest`,
  )
    .pluck()
    .all({ earliest: EARLIEST_DATE, latest }) as number[];
}
