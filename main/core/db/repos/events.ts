/**
 * Writing and looking up `customer_raw_event` rows: ingestion (one by one and held-back batches), re-attaching
 * events in merges and undos, the stored-limits repair, checkouts. The read models and the models' scans are in
 * event-reads.ts. Prepared once per connection: ingestion runs these for every event.
 */
import { MAX_MONEY } from '../../../../shared/limits';
import type { Database } from '../open';
import { stmt } from '../statements';

/** An event's columns after its id, in the order both ingestion paths insert them. */
export type EventColumns = [
  brandId: number,
  type: string,
  source: string,
  externalId: string | null,
  payload: string,
  identifiers: string,
  unused: string | null,
  occurredAt: number,
  receivedAt: number,
  profileId: number | null,
  orderId: string | null,
];

/** Stores one event; returns its id. */
export function insertEvent(db: Database, columns: EventColumns): number {
  const inserted = stmt(
    db,
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, unused_identifiers, occurred_at, received_at, customer_profile_id, order_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(columns);
  return Number(inserted.lastInsertRowid);
}

/** Stores held-back events with the ids they were given. */
export function insertEventsWithIds(db: Database, rows: readonly [id: number, ...columns: EventColumns][]): void {
  // One prepared row at a time: measured faster than multi-row VALUES here (15 µs against 20 µs a row).
  const insert = stmt(
    db,
    `INSERT INTO customer_raw_event (id, brand_id, event_type, source, external_id, payload, identifiers,
         unused_identifiers, occurred_at, received_at, customer_profile_id, order_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const row of rows) insert.run(row);
}

/** The highest event id ever given (AUTOINCREMENT never gives an erased event's id again). */
export function lastEventId(db: Database): number {
  const row = stmt(
    db,
    `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'customer_raw_event'), 0),
                coalesce((SELECT max(id) FROM customer_raw_event), 0)) AS last`,
  ).get() as { last: number };
  return row.last;
}

/** The stored event with this natural key (brand, source, external id), if any. */
export function storedEvent(
  db: Database,
  brandId: number,
  source: string,
  externalId: string,
): { id: number; customer_profile_id: number | null } | undefined {
  return stmt(
    db,
    'SELECT id, customer_profile_id FROM customer_raw_event WHERE brand_id = ? AND source = ? AND external_id = ?',
  ).get(brandId, source, externalId) as { id: number; customer_profile_id: number | null } | undefined;
}

/** Refunds of an order that arrived before it, on no profile, join the order's profile. Returns how many. */
export function attachEarlyRefunds(
  db: Database,
  profileId: number,
  brandId: number,
  orderId: string,
  source: string,
): number {
  return stmt(
    db,
    `UPDATE customer_raw_event SET customer_profile_id = ?
             WHERE brand_id = ? AND order_id = ? AND source = ? AND event_type = 'refund' AND customer_profile_id IS NULL`,
  ).run(profileId, brandId, orderId, source).changes;
}

/** Another event of the profile (not `eventId`) names this order. */
export function orderOnProfileElsewhere(
  db: Database,
  brandId: number,
  orderId: string,
  profileId: number,
  eventId: number,
): boolean {
  return (
    stmt(
      db,
      'SELECT 1 FROM customer_raw_event WHERE brand_id = ? AND order_id = ? AND customer_profile_id = ? AND id != ? LIMIT 1',
    ).get(brandId, orderId, profileId, eventId) !== undefined
  );
}

/** Any event of the brand names this order. */
export function orderKnown(db: Database, brandId: number, orderId: string): boolean {
  return (
    stmt(db, 'SELECT 1 FROM customer_raw_event WHERE brand_id = ? AND order_id = ? LIMIT 1').get(brandId, orderId) !==
    undefined
  );
}

/** A refund of this order is already stored. */
export function refundOfOrderKnown(db: Database, brandId: number, orderId: string | undefined): boolean {
  return (
    stmt(
      db,
      "SELECT 1 FROM customer_raw_event WHERE brand_id = ? AND order_id = ? AND event_type = 'refund' LIMIT 1",
    ).get(brandId, orderId) !== undefined
  );
}

/**
 * When an imported orders export's "Refunded Amount" (the total refunded so far, as of its import) already holds a
 * refund of this order created at `createdAt`: the import's time, or undefined when no such import came after it.
 */
export function refundCountedByImport(
  db: Database,
  brandId: number,
  orderId: string,
  createdAt: number,
): number | undefined {
  return (
    (stmt(
      db,
      `SELECT min(received_at) FROM customer_raw_event WHERE brand_id = ? AND order_id = ? AND event_type = 'refund'
         AND external_id LIKE 'refunded-so-far:%' AND received_at >= ?`,
    )
      .pluck()
      .get(brandId, orderId, createdAt) as number | null) ?? undefined
  );
}

/** The identifiers (stored JSON) the first Shopify purchase event of an order carried. */
export function firstShopifyPurchaseIdentifiers(db: Database, brandId: number, orderId: string): string | undefined {
  return stmt(
    db,
    `SELECT identifiers FROM customer_raw_event WHERE brand_id = ? AND order_id = ? AND source = 'shopify'
     AND event_type = 'purchase' ORDER BY id LIMIT 1`,
  )
    .pluck()
    .get(brandId, orderId) as string | undefined;
}

// Merges and undos

export function eventIdsOf(db: Database, profileId: number): number[] {
  return stmt(db, 'SELECT id FROM customer_raw_event WHERE customer_profile_id = ?').pluck().all(profileId) as number[];
}

/** The highest event id stored (a merge snapshot remembers it). */
export function maxEventId(db: Database): number {
  return (stmt(db, 'SELECT coalesce(max(id), 0) FROM customer_raw_event').pluck().get() as number) ?? 0;
}

/** All of one profile's events go to another (a merge). */
export function moveEvents(db: Database, fromProfileId: number, toProfileId: number): void {
  stmt(db, 'UPDATE customer_raw_event SET customer_profile_id = ? WHERE customer_profile_id = ?').run(
    toProfileId,
    fromProfileId,
  );
}

/** One event goes back to `profileId`, if `holderId` still holds it (an undo). */
export function returnEvent(db: Database, eventId: number, profileId: number, holderId: number): void {
  stmt(db, 'UPDATE customer_raw_event SET customer_profile_id = ? WHERE id = ? AND customer_profile_id = ?').run(
    profileId,
    eventId,
    holderId,
  );
}

/** A profile's events after `afterId`, with their identifiers (stored JSON), oldest first. */
export function eventsAfter(db: Database, profileId: number, afterId: number): { id: number; identifiers: string }[] {
  return stmt(
    db,
    'SELECT id, identifiers FROM customer_raw_event WHERE customer_profile_id = ? AND id > ? ORDER BY id',
  ).all(profileId, afterId) as { id: number; identifiers: string }[];
}

export function setEventProfile(db: Database, eventId: number, profileId: number): void {
  stmt(db, 'UPDATE customer_raw_event SET customer_profile_id = ? WHERE id = ?').run(profileId, eventId);
}

// The stored-limits repair (ingest/limits-repair.ts)

export interface RepairRow {
  id: number;
  payload: string;
  customer_profile_id: number | null;
}

/** When the newest event was received. */
export function latestReceivedAt(db: Database): number | undefined {
  return stmt(db, 'SELECT received_at FROM customer_raw_event ORDER BY id DESC LIMIT 1').pluck().get() as
    | number
    | undefined;
}

/** Payloads SQLite cannot read, nested past the limit, or with money past the limit (one full scan). */
export function eventsPastMoneyLimits(db: Database): RepairRow[] {
  return stmt(
    db,
    `SELECT id, payload, customer_profile_id FROM customer_raw_event
     WHERE CASE WHEN json_valid(payload) THEN
       abs(coalesce(payload ->> '$.total', 0)) > ${MAX_MONEY}
       OR EXISTS (SELECT 1 FROM json_each(payload, '$.items') i
                  WHERE i.type = 'object' AND abs(coalesce(i.value ->> '$.price', 0)) > ${MAX_MONEY})
       OR json_type(payload) != 'object'
     ELSE 1 END`,
  ).all() as RepairRow[];
}

export function setEventPayload(db: Database, eventId: number, payload: string): void {
  stmt(db, 'UPDATE customer_raw_event SET payload = ? WHERE id = ?').run(payload, eventId);
}

/** A brand's events of one type dated before (`<`) or after (`>`) a time (index range scans). */
export function eventsDated(
  db: Database,
  brandId: number,
  type: string,
  op: '<' | '>',
  bound: number,
): (RepairRow & { occurred_at: number; received_at: number })[] {
  return stmt(
    db,
    `SELECT id, occurred_at, received_at, payload, customer_profile_id FROM customer_raw_event
       WHERE brand_id = ? AND event_type = ? AND occurred_at ${op} ?`,
  ).all(brandId, type, bound) as (RepairRow & { occurred_at: number; received_at: number })[];
}

export function redateEvent(db: Database, eventId: number, occurredAt: number, payload: string): void {
  stmt(db, 'UPDATE customer_raw_event SET occurred_at = ?, payload = ? WHERE id = ?').run(occurredAt, payload, eventId);
}

// Checkouts (ingest/sources/shopify-checkouts.ts)

/** Abandoned and still open carts of a profile (through its cart_abandoned events, so merges carry them). */
export function openCartRows(
  db: Database,
  profileId: number,
): {
  token: string;
  total: number | null;
  currency: string | null;
  abandoned_at: number;
  checkout_url: string | null;
}[] {
  return stmt(
    db,
    `SELECT c.token, c.total, c.currency, c.abandoned_at, c.checkout_url FROM customer_raw_event e
       JOIN checkout_state c ON c.brand_id = e.brand_id AND c.token = e.payload ->> '$.checkoutToken'
       WHERE e.customer_profile_id = ? AND e.event_type = 'cart_abandoned' AND c.completed_at IS NULL AND c.deleted_at IS NULL
       ORDER BY c.abandoned_at DESC`,
  ).all(profileId) as {
    token: string;
    total: number | null;
    currency: string | null;
    abandoned_at: number;
    checkout_url: string | null;
  }[];
}

/** Profiles whose pages show this checkout (its start or abandonment events). */
export function profilesOfCheckout(db: Database, brandId: number, token: string): number[] {
  return stmt(
    db,
    `SELECT DISTINCT customer_profile_id FROM customer_raw_event WHERE brand_id = ? AND source = 'shopify'
     AND external_id IN (?, ?) AND customer_profile_id IS NOT NULL`,
  )
    .pluck()
    .all(brandId, `checkout:${token}`, `cart_abandoned:${token}`) as number[];
}
