/**
 * Reading `customer_raw_event` for the read models (Customer 360 timeline, data exports) and for the models
 * (features, explanations, intent, recommendations, the training span). The scans over a whole brand stream
 * their rows (a statement of their own, iterated) ordered by customer over the per-customer index.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

/** A money or activity event as the feature builder folds it (`p`: the profile). */
export interface FeatureEventRow {
  p: number;
  t: string;
  s: string;
  at: number;
  o: string | null;
  total: number | string | null;
  items: string | null;
}

/** A brand's events on profiles between `from` and `to`, ordered by customer then time. */
export function streamFeatureEvents(
  db: Database,
  brandId: number,
  from: number,
  to: number,
): IterableIterator<FeatureEventRow> {
  return db.sqlite
    .prepare(
      `SELECT customer_profile_id AS p, event_type AS t, source AS s, occurred_at AS at, order_id AS o,
              payload ->> '$.total' AS total, CASE WHEN event_type = 'purchase' THEN payload -> '$.items' END AS items
       FROM customer_raw_event
       WHERE brand_id = ? AND customer_profile_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ?
       ORDER BY customer_profile_id, occurred_at`,
    )
    .iterate(brandId, from, to) as IterableIterator<FeatureEventRow>;
}

/** One customer's events before `at`, as the feature builder reads them, oldest first. */
export function featureEventsOf(db: Database, profileId: number, at: number): Omit<FeatureEventRow, 'p'>[] {
  return stmt(
    db,
    `SELECT event_type AS t, source AS s, occurred_at AS at, order_id AS o, payload ->> '$.total' AS total,
            CASE WHEN event_type = 'purchase' THEN payload -> '$.items' END AS items
     FROM customer_raw_event WHERE customer_profile_id = ? AND occurred_at < ? ORDER BY occurred_at, id`,
  ).all(profileId, at) as Omit<FeatureEventRow, 'p'>[];
}

/** A purchase, refund or cancellation as the recommendations read it. */
export interface PurchaseRow {
  p: number;
  t: string;
  at: number;
  o: string | null;
  total: number | string | null;
  items: string | null;
}

/** Purchases, refunds and cancellations before `asOf`, ordered by customer then time (the per-customer index). */
export function streamPurchaseRows(db: Database, brandId: number, asOf: number): IterableIterator<PurchaseRow> {
  return db.sqlite
    .prepare(
      `SELECT customer_profile_id AS p, event_type AS t, occurred_at AS at, order_id AS o, payload ->> '$.total' AS total,
              CASE WHEN event_type = 'purchase' THEN payload -> '$.items' END AS items
       FROM customer_raw_event INDEXED BY customer_raw_event_profile_time_idx
       WHERE customer_profile_id IS NOT NULL AND brand_id = ? AND occurred_at < ?
         AND event_type IN ('purchase', 'refund', 'cancellation')
       ORDER BY customer_profile_id, occurred_at, id`,
    )
    .iterate(brandId, asOf) as IterableIterator<PurchaseRow>;
}

/** The first and last purchase on a profile of a brand. */
export function purchaseSpan(db: Database, brandId: number): { first: number | null; last: number | null } {
  // ORDER BY … LIMIT 1 walks the (brand, type, time) index from either end; min()/max() with the extra condition
  // would read every purchase (seconds at a million events).
  return db.sqlite
    .prepare(
      `SELECT (SELECT occurred_at FROM customer_raw_event WHERE brand_id = ? AND event_type = 'purchase'
                 AND customer_profile_id IS NOT NULL ORDER BY occurred_at LIMIT 1) AS first,
              (SELECT occurred_at FROM customer_raw_event WHERE brand_id = ? AND event_type = 'purchase'
                 AND customer_profile_id IS NOT NULL ORDER BY occurred_at DESC LIMIT 1) AS last`,
    )
    .get(brandId, brandId) as { first: number | null; last: number | null };
}

/** An event that signals interest in a product (`payload` as stored). */
export interface SignalRow {
  p: number;
  t: string;
  at: number;
  payload: string;
}

const typeList = (types: readonly string[]) => types.map((t) => `'${t}'`).join(', ');

/** One customer's events of these types between `from` and `to`, oldest first. */
export function signalEventsOf(
  db: Database,
  brandId: number,
  profileId: number,
  types: readonly string[],
  from: number,
  to: number,
): SignalRow[] {
  return stmt(
    db,
    `SELECT customer_profile_id AS p, event_type AS t, occurred_at AS at, payload
     FROM customer_raw_event INDEXED BY customer_raw_event_profile_time_idx
     WHERE customer_profile_id = ? AND occurred_at >= ? AND occurred_at <= ? AND brand_id = ?
       AND event_type IN (${typeList(types)})
     ORDER BY occurred_at, id`,
  ).all(profileId, from, to, brandId) as SignalRow[];
}

/** Every customer's events of these types between `from` and `to`, ordered by customer then time. */
export function streamSignalEvents(
  db: Database,
  brandId: number,
  types: readonly string[],
  from: number,
  to: number,
): IterableIterator<SignalRow> {
  return db.sqlite
    .prepare(
      `SELECT customer_profile_id AS p, event_type AS t, occurred_at AS at, payload
       FROM customer_raw_event
       WHERE brand_id = ? AND event_type IN (${typeList(types)}) AND occurred_at >= ? AND occurred_at <= ?
         AND customer_profile_id IS NOT NULL
       ORDER BY customer_profile_id, occurred_at, id`,
    )
    .iterate(brandId, from, to) as IterableIterator<SignalRow>;
}

export function eventCountOf(db: Database, profileId: number): number {
  return stmt(db, 'SELECT count(*) FROM customer_raw_event WHERE customer_profile_id = ?')
    .pluck()
    .get(profileId) as number;
}

/** An event as the timeline shows it. */
export interface TimelineRow {
  id: number;
  event_type: string;
  source: string;
  external_id: string | null;
  payload: string;
  occurred_at: number;
}

const TIMELINE_COLUMNS = 'id, event_type, source, external_id, payload, occurred_at';

/**
 * A page of a profile's events, newest first: from the newest, or after the event `cursor` (none when that event
 * is gone).
 */
export function timelinePage(
  db: Database,
  profileId: number,
  cursor: number | undefined,
  count: number,
): TimelineRow[] {
  if (cursor === undefined) {
    return stmt(
      db,
      `SELECT ${TIMELINE_COLUMNS} FROM customer_raw_event WHERE customer_profile_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    ).all(profileId, count) as TimelineRow[];
  }
  const at = stmt(db, 'SELECT occurred_at FROM customer_raw_event WHERE id = ?').pluck().get(cursor) as
    | number
    | undefined;
  return at === undefined
    ? []
    : (stmt(
        db,
        `SELECT ${TIMELINE_COLUMNS} FROM customer_raw_event WHERE customer_profile_id = ? AND (occurred_at < ? OR (occurred_at = ? AND id < ?))
             ORDER BY occurred_at DESC, id DESC LIMIT ?`,
      ).all(profileId, at, at, cursor, count) as TimelineRow[]);
}

/** A profile's events for a data export, oldest first. */
export function eventsForExport(db: Database, profileId: number): (TimelineRow & { received_at: number })[] {
  return stmt(
    db,
    'SELECT id, event_type, source, external_id, payload, occurred_at, received_at FROM customer_raw_event WHERE customer_profile_id = ? ORDER BY occurred_at, id',
  ).all(profileId) as ReturnType<typeof eventsForExport>;
}
