/**
 * The journey engine's SQL: customers' events and totals read by ranges of profile ids (the events through the
 * (profile, time) index, so a full recompute is one indexed pass over the events in slices the event loop turns
 * between; its time at 100k profiles / 1M events is not yet measured), one customer's for a live event, and the writes of a
 * customer's journey row, a stage change, and the shop's thresholds.
 *
 * Scores are read straight from `predictions` (churn, predicted value, next purchase date, whether anything is
 * recommended) rather than through ml/signals.ts: signals work out intent from each customer's events (several
 * reads a customer), which at 100k customers alone would take longer than the whole recompute's 5 s budget. The
 * band is decided as signals decide it: shared/risk-band.ts by the active version's lines.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

/** [profileId, eventType, source, occurredAt] */
export type EventTuple = [number, string, string, number];

export interface ProfileTotals {
  id: number;
  value: number;
  orders: number;
  lastPurchaseAt: number | null;
  churn: number | null;
  predictedValue: number | null;
  nextPurchaseAt: number | null;
  hasRecommendations: number;
}

const PROFILE_COLUMNS = `p.id, p.lifetime_value + coalesce(pt.cents, 0) / 100.0 AS value,
  p.total_orders + coalesce(pt.orders, 0) AS orders,
  max(coalesce(p.last_purchase_at, 0), coalesce(pt.last_purchase_at, 0)) AS lastPurchaseAt,
  pr.churn_score AS churn, pr.ltv_score AS predictedValue, pr.next_purchase_at AS nextPurchaseAt,
  coalesce(pr.recommendations NOT IN ('[]', ''), 0) AS hasRecommendations
  FROM customer_profile p
  LEFT JOIN profile_pending_totals pt ON pt.profile_id = p.id
  LEFT JOIN predictions pr ON pr.profile_id = p.id`;

export function profileIdBounds(db: Database, brandId: number): { min: number; max: number } | null {
  const row = stmt(db, 'SELECT min(id) AS min, max(id) AS max FROM customer_profile WHERE brand_id = ?').get(
    brandId,
  ) as { min: number | null; max: number | null };
  return row.min === null || row.max === null ? null : { min: row.min, max: row.max };
}

export function profilesInRange(db: Database, brandId: number, from: number, to: number): ProfileTotals[] {
  return stmt(db, `SELECT ${PROFILE_COLUMNS} WHERE p.brand_id = ? AND p.id BETWEEN ? AND ? ORDER BY p.id`).all(
    brandId,
    from,
    to,
  ) as ProfileTotals[];
}

export function profileTotals(db: Database, brandId: number, profileId: number): ProfileTotals | undefined {
  return stmt(db, `SELECT ${PROFILE_COLUMNS} WHERE p.id = ? AND p.brand_id = ?`).get(profileId, brandId) as
    | ProfileTotals
    | undefined;
}

/** Every event of the profiles in [from, to], by profile then time. */
export function eventsInRange(db: Database, from: number, to: number): EventTuple[] {
  return stmt(
    db,
    `SELECT customer_profile_id, event_type, source, occurred_at FROM customer_raw_event
     WHERE customer_profile_id BETWEEN ? AND ? ORDER BY customer_profile_id, occurred_at`,
  )
    .raw(true)
    .all(from, to) as EventTuple[];
}

export function eventsOfProfile(db: Database, profileId: number): EventTuple[] {
  return stmt(
    db,
    `SELECT customer_profile_id, event_type, source, occurred_at FROM customer_raw_event
     WHERE customer_profile_id = ? ORDER BY occurred_at`,
  )
    .raw(true)
    .all(profileId) as EventTuple[];
}

export interface StoredJourney {
  profileId: number;
  stage: string;
  enteredStageAt: number;
  updatedAt: number;
  /** Everything else the row holds but the action, joined: unchanged means no write. */
  signature: string;
  action: string | null;
}

const SIGNATURE = `score || '|' || lapsed || '|' || engagement_part || '|' || value_part || '|' || channels_part || '|' ||
  recency_part || '|' || facts || '|' || stage_why || '|' || coalesce(next_milestone, '')`;

export function journeysInRange(db: Database, from: number, to: number): StoredJourney[] {
  return stmt(
    db,
    `SELECT profile_id AS profileId, stage, entered_stage_at AS enteredStageAt, updated_at AS updatedAt,
       ${SIGNATURE} AS signature, next_best_action AS action FROM customer_journey WHERE profile_id BETWEEN ? AND ?`,
  ).all(from, to) as StoredJourney[];
}

export function journeyOf(db: Database, profileId: number): StoredJourney | undefined {
  return stmt(
    db,
    `SELECT profile_id AS profileId, stage, entered_stage_at AS enteredStageAt, updated_at AS updatedAt,
       ${SIGNATURE} AS signature, next_best_action AS action FROM customer_journey WHERE profile_id = ?`,
  ).get(profileId) as StoredJourney | undefined;
}

export interface JourneyRow {
  profileId: number;
  brandId: number;
  stage: string;
  score: number;
  enteredStageAt: number;
  updatedAt: number;
  lapsed: boolean;
  engagementPart: number;
  valuePart: number;
  channelsPart: number;
  recencyPart: number;
  facts: string;
  stageWhy: string;
  nextMilestone: string | null;
  /** undefined: keep what is stored (the next best action was not worked out). */
  nextBestAction: string | null | undefined;
}

/** The signature `journeysInRange` would read back for this row (numbers as SQLite prints them). */
export function signatureOf(r: JourneyRow): string {
  const n = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));
  return [
    n(r.score),
    r.lapsed ? 1 : 0,
    n(r.engagementPart),
    n(r.valuePart),
    n(r.channelsPart),
    n(r.recencyPart),
    r.facts,
    r.stageWhy,
    r.nextMilestone ?? '',
  ].join('|');
}

export function upsertJourney(db: Database, r: JourneyRow): void {
  stmt(
    db,
    `INSERT INTO customer_journey (profile_id, brand_id, stage, score, entered_stage_at, updated_at, lapsed,
       engagement_part, value_part, channels_part, recency_part, facts, stage_why, next_milestone, next_best_action)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (profile_id) DO UPDATE SET stage = excluded.stage, score = excluded.score,
       entered_stage_at = excluded.entered_stage_at, updated_at = excluded.updated_at, lapsed = excluded.lapsed,
       engagement_part = excluded.engagement_part, value_part = excluded.value_part,
       channels_part = excluded.channels_part, recency_part = excluded.recency_part, facts = excluded.facts,
       stage_why = excluded.stage_why, next_milestone = excluded.next_milestone,
       next_best_action = CASE WHEN ? THEN excluded.next_best_action ELSE customer_journey.next_best_action END`,
  ).run(
    r.profileId,
    r.brandId,
    r.stage,
    r.score,
    r.enteredStageAt,
    r.updatedAt,
    r.lapsed ? 1 : 0,
    r.engagementPart,
    r.valuePart,
    r.channelsPart,
    r.recencyPart,
    r.facts,
    r.stageWhy,
    r.nextMilestone,
    r.nextBestAction ?? null,
    r.nextBestAction === undefined ? 0 : 1,
  );
}

export interface TransitionRow {
  brandId: number;
  profileId: number;
  from: string | null;
  to: string;
  at: number;
  why: string;
  cause: 'live' | 'recompute' | 'import';
  eventId: number | null;
}

export function insertTransition(db: Database, t: TransitionRow): number {
  return Number(
    stmt(
      db,
      `INSERT INTO customer_journey_transition (brand_id, profile_id, from_stage, to_stage, at, why, cause, event_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(t.brandId, t.profileId, t.from, t.to, t.at, t.why, t.cause, t.eventId).lastInsertRowid,
  );
}

export interface ShopRow {
  thresholds: string;
  distributions: string;
  customers: number;
  computedAt: number;
  tookMs: number;
  importPending: number;
  recomputeDue: number;
}

export function shopRow(db: Database, brandId: number): ShopRow | undefined {
  return stmt(
    db,
    `SELECT thresholds, distributions, customers, computed_at AS computedAt, took_ms AS tookMs,
       import_pending AS importPending, recompute_due AS recomputeDue FROM journey_shop WHERE brand_id = ?`,
  ).get(brandId) as ShopRow | undefined;
}

/** When thresholds were last computed (0: never), read per live batch to know whether a cached copy holds. */
export function shopComputedAt(db: Database, brandId: number): number {
  return (stmt(db, 'SELECT computed_at FROM journey_shop WHERE brand_id = ?').pluck().get(brandId) as number) ?? 0;
}

/** Sets a flag, creating the row (empty thresholds, never computed) when there is none. */
export function flagShop(db: Database, brandId: number, flag: 'import_pending' | 'recompute_due', on: boolean): void {
  stmt(
    db,
    `INSERT INTO journey_shop (brand_id, thresholds, distributions, computed_at, ${flag}) VALUES (?, '{}', '{}', 0, ?)
     ON CONFLICT (brand_id) DO UPDATE SET ${flag} = excluded.${flag}`,
  ).run(brandId, on ? 1 : 0);
}

export function saveShop(
  db: Database,
  brandId: number,
  s: { thresholds: string; distributions: string; customers: number; computedAt: number },
): void {
  stmt(
    db,
    `INSERT INTO journey_shop (brand_id, thresholds, distributions, customers, computed_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (brand_id) DO UPDATE SET thresholds = excluded.thresholds, distributions = excluded.distributions,
       customers = excluded.customers, computed_at = excluded.computed_at`,
  ).run(brandId, s.thresholds, s.distributions, s.customers, s.computedAt);
}

export function finishShop(db: Database, brandId: number, tookMs: number): void {
  stmt(db, 'UPDATE journey_shop SET took_ms = ?, recompute_due = 0 WHERE brand_id = ?').run(tookMs, brandId);
}
