/**
 * The Dashboard's reads and writes: the stored sales periods and their dirty mark (schema/dashboard.ts), the sales
 * events a rebuild reads, and the counts the Dashboard shows beside them (value at risk, segments, stages, the
 * automations' last 30 days, the things waiting). Each is one indexed statement.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export interface DashboardState {
  dirtyFrom: number | null;
  timeZone: string | null;
  builtAt: number | null;
}

export function dashboardState(db: Database, brandId: number): DashboardState | undefined {
  return stmt(
    db,
    'SELECT dirty_from AS dirtyFrom, time_zone AS timeZone, built_at AS builtAt FROM dashboard_state WHERE brand_id = ?',
  ).get(brandId) as DashboardState | undefined;
}

/** Marks the periods built (from `from` on, in `timeZone`) as of now; a sale written since marks them again. */
export function markBuilt(db: Database, brandId: number, timeZone: string, now: number): void {
  stmt(
    db,
    `INSERT INTO dashboard_state (brand_id, dirty_from, time_zone, built_at) VALUES (?, NULL, ?, ?)
     ON CONFLICT (brand_id) DO UPDATE SET dirty_from = NULL, time_zone = excluded.time_zone, built_at = excluded.built_at`,
  ).run(brandId, timeZone, now);
}

/** A sale as a rebuild reads it: [id, type, customer or null, order id or null, total, when]. */
export type SaleTuple = [number, string, number | null, string | null, number, number];

/** Every purchase, refund and cancellation from `from` on (the (brand, type, time) index), oldest first per type. */
export function salesFrom(db: Database, brandId: number, from: number): SaleTuple[] {
  return stmt(
    db,
    `SELECT id, event_type, customer_profile_id, order_id, coalesce(payload ->> '$.total', 0), occurred_at
     FROM customer_raw_event WHERE brand_id = ? AND event_type IN ('purchase', 'refund', 'cancellation')
       AND occurred_at >= ?`,
  )
    .raw()
    .all(brandId, from) as SaleTuple[];
}

/** The earliest event time of all sales (null when there are none). */
export function firstSaleAt(db: Database, brandId: number): number | null {
  return (
    (stmt(db, `SELECT min(occurred_at) FROM customer_raw_event WHERE brand_id = ? AND event_type = 'purchase'`)
      .pluck()
      .get(brandId) as number | null) ?? null
  );
}

/**
 * Which of these customers bought before `before` (so they are returning customers in a range starting then). Each
 * looks through the (customer, time) index from their oldest event and stops at the first purchase: a returning
 * customer is found in a row or two, a new one reads only their events before the range.
 */
export function boughtBefore(db: Database, ids: readonly number[], before: number): Set<number> {
  const out = new Set<number>();
  const read = stmt(
    db,
    `SELECT value FROM json_each(?) WHERE EXISTS (SELECT 1 FROM customer_raw_event
       WHERE customer_profile_id = value AND occurred_at < ? AND event_type = 'purchase')`,
  ).pluck();
  for (let i = 0; i < ids.length; i += 500)
    for (const id of read.all(JSON.stringify(ids.slice(i, i + 500)), before) as number[]) out.add(id);
  return out;
}

export interface PeriodRow {
  kind: 'week' | 'month';
  start: number;
  revenue: number;
  refunds: number;
  orders: number;
  buyers: number;
  newBuyers: number;
  returningBuyers: number;
  walkInOrders: number;
  walkInRevenue: number;
}

/** Replaces the stored periods of a kind from `from` on with `rows`. */
export function replacePeriods(
  db: Database,
  brandId: number,
  kind: 'week' | 'month',
  from: number,
  rows: PeriodRow[],
): void {
  stmt(db, 'DELETE FROM sales_period WHERE brand_id = ? AND kind = ? AND start >= ?').run(brandId, kind, from);
  const insert = stmt(
    db,
    `INSERT INTO sales_period (brand_id, kind, start, revenue, refunds, orders, buyers, new_buyers, returning_buyers,
       walk_in_orders, walk_in_revenue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const r of rows)
    insert.run(
      brandId,
      kind,
      r.start,
      r.revenue,
      r.refunds,
      r.orders,
      r.buyers,
      r.newBuyers,
      r.returningBuyers,
      r.walkInOrders,
      r.walkInRevenue,
    );
}

export function clearPeriods(db: Database, brandId: number): void {
  stmt(db, 'DELETE FROM sales_period WHERE brand_id = ?').run(brandId);
}

export function storedPeriods(db: Database, brandId: number, kind: 'week' | 'month', from: number): PeriodRow[] {
  return stmt(
    db,
    `SELECT kind, start, revenue, refunds, orders, buyers, new_buyers AS newBuyers, returning_buyers AS returningBuyers,
       walk_in_orders AS walkInOrders, walk_in_revenue AS walkInRevenue
     FROM sales_period WHERE brand_id = ? AND kind = ? AND start >= ? ORDER BY start`,
  ).all(brandId, kind, from) as PeriodRow[];
}

/** Customers with a prediction whose churn risk is at or above `line`: how many, and their predicted value. */
export function valueAtRisk(db: Database, brandId: number, line: number): { customers: number; value: number } {
  return stmt(
    db,
    `SELECT count(*) AS customers, coalesce(sum(max(coalesce(ltv_score, 0), 0)), 0) AS value
     FROM predictions WHERE brand_id = ? AND churn_score >= ?`,
  ).get(brandId, line) as { customers: number; value: number };
}

/** The customers to contact first: high churn risk, most at stake (churn risk × predicted value) first. */
export function mostAtStake(
  db: Database,
  brandId: number,
  line: number,
  limit: number,
): { profileId: number; churnRisk: number; predictedValue: number; stake: number }[] {
  return stmt(
    db,
    `SELECT profile_id AS profileId, churn_score AS churnRisk, coalesce(ltv_score, 0) AS predictedValue,
       churn_score * max(coalesce(ltv_score, 0), 0) AS stake
     FROM predictions WHERE brand_id = ? AND churn_score >= ?
     ORDER BY stake DESC, profile_id LIMIT ?`,
  ).all(brandId, line, limit) as { profileId: number; churnRisk: number; predictedValue: number; stake: number }[];
}

export function segmentCounts(db: Database, brandId: number): { segment: string; customers: number }[] {
  return stmt(
    db,
    `SELECT segment, count(*) AS customers FROM predictions WHERE brand_id = ? AND segment IS NOT NULL
     GROUP BY segment ORDER BY customers DESC, segment`,
  ).all(brandId) as { segment: string; customers: number }[];
}

export function stageCountsOf(db: Database, brandId: number): { stage: string; customers: number }[] {
  return stmt(db, 'SELECT stage, count(*) AS customers FROM customer_journey WHERE brand_id = ? GROUP BY stage').all(
    brandId,
  ) as { stage: string; customers: number }[];
}

/** Automated messages (automations and campaigns) that went out since `since`, and occasions held out as comparison. */
export function automationTally(db: Database, brandId: number, since: number): { sent: number; heldOut: number } {
  const sent = stmt(
    db,
    `SELECT count(*) FROM message_outbox WHERE brand_id = ? AND status = 'sent' AND source IN ('automation', 'campaign')
       AND sent_at >= ?`,
  )
    .pluck()
    .get(brandId, since) as number;
  const heldOut = stmt(
    db,
    `SELECT count(*) FROM automation_execution WHERE brand_id = ? AND status = 'held_out' AND executed_at >= ?`,
  )
    .pluck()
    .get(brandId, since) as number;
  return { sent, heldOut };
}

export function repliesSince(db: Database, brandId: number, since: number): number {
  return stmt(db, 'SELECT count(*) FROM message_in WHERE brand_id = ? AND received_at >= ?')
    .pluck()
    .get(brandId, since) as number;
}

/** Messages that failed or whose fate is unknown, created since `since`. */
export function troubledMessages(db: Database, brandId: number, since: number): { failed: number; unknown: number } {
  return stmt(
    db,
    `SELECT coalesce(sum(status = 'failed'), 0) AS failed, coalesce(sum(status = 'unknown'), 0) AS unknown
     FROM message_outbox WHERE brand_id = ? AND status IN ('failed', 'unknown') AND created_at >= ?`,
  ).get(brandId, since) as { failed: number; unknown: number };
}

/** When the active scores were trained (null: never). */
export function activeTrainedAt(db: Database, brandId: number): number | null {
  return (
    (stmt(db, "SELECT created_at FROM model_version WHERE brand_id = ? AND kind = 'scores' AND active = 1")
      .pluck()
      .get(brandId) as number | undefined) ?? null
  );
}

export function customerCount(db: Database, brandId: number): number {
  return stmt(db, 'SELECT count(*) FROM customer_profile WHERE brand_id = ?').pluck().get(brandId) as number;
}

/** Whether any sale is counted in the stored periods. */
export function anySalePeriod(db: Database, brandId: number): boolean {
  return stmt(db, 'SELECT 1 FROM sales_period WHERE brand_id = ? LIMIT 1').get(brandId) !== undefined;
}
