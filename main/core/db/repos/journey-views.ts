/**
 * What the Journeys page and Customer 360 read of the journeys: customers per stage, moves between stages over 30
 * and 90 days (the (brand, at) index: only the last 90 days' changes are read), the changes of the last 12 months
 * for conversion per month, a stage's customers by score, and one customer's row, changes and touchpoints.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export function stageCounts(db: Database, brandId: number): { stage: string; customers: number; lapsed: number }[] {
  return stmt(
    db,
    `SELECT stage, count(*) AS customers, coalesce(sum(lapsed), 0) AS lapsed FROM customer_journey
     WHERE brand_id = ? GROUP BY stage`,
  ).all(brandId) as { stage: string; customers: number; lapsed: number }[];
}

export function movesSince(
  db: Database,
  brandId: number,
  since30: number,
  since90: number,
): { from: string | null; to: string; last30: number; last90: number }[] {
  return stmt(
    db,
    `SELECT from_stage AS "from", to_stage AS "to", coalesce(sum(at >= ?), 0) AS last30, count(*) AS last90
     FROM customer_journey_transition WHERE brand_id = ? AND at >= ? GROUP BY from_stage, to_stage`,
  ).all(since30, brandId, since90) as { from: string | null; to: string; last30: number; last90: number }[];
}

/** [profileId, from, to, at] since `since`, by customer then time. */
export type TransitionTuple = [number, string | null, string, number];

export function transitionsSince(db: Database, brandId: number, since: number): TransitionTuple[] {
  return stmt(
    db,
    `SELECT profile_id, from_stage, to_stage, at FROM customer_journey_transition
     WHERE brand_id = ? AND at >= ? ORDER BY profile_id, at, id`,
  )
    .raw(true)
    .all(brandId, since) as TransitionTuple[];
}

/** Customers in each stage since before `before` (no change after it), by stage. */
export function unchangedSince(db: Database, brandId: number, before: number): Map<string, number> {
  const rows = stmt(
    db,
    `SELECT stage, count(*) AS n FROM customer_journey WHERE brand_id = ? AND entered_stage_at < ? GROUP BY stage`,
  ).all(brandId, before) as { stage: string; n: number }[];
  return new Map(rows.map((r) => [r.stage, r.n]));
}

export interface StageCustomerRow {
  profileId: number;
  firstName: string | null;
  lastName: string | null;
  score: number;
  lapsed: number;
  enteredStageAt: number;
  nextMilestone: string | null;
  nextBestAction: string | null;
}

export function stageTotal(db: Database, brandId: number, stage: string): number {
  return stmt(db, 'SELECT count(*) FROM customer_journey WHERE brand_id = ? AND stage = ?')
    .pluck()
    .get(brandId, stage) as number;
}

export function stageCustomers(
  db: Database,
  brandId: number,
  stage: string,
  limit: number,
  offset: number,
): StageCustomerRow[] {
  return stmt(
    db,
    `SELECT j.profile_id AS profileId, p.first_name AS firstName, p.last_name AS lastName, j.score, j.lapsed,
       j.entered_stage_at AS enteredStageAt, j.next_milestone AS nextMilestone, j.next_best_action AS nextBestAction
     FROM customer_journey j JOIN customer_profile p ON p.id = j.profile_id
     WHERE j.brand_id = ? AND j.stage = ? ORDER BY j.score DESC, j.profile_id LIMIT ? OFFSET ?`,
  ).all(brandId, stage, limit, offset) as StageCustomerRow[];
}

export interface JourneyDetailRow {
  stage: string;
  stageWhy: string;
  enteredStageAt: number;
  lapsed: number;
  score: number;
  engagementPart: number;
  valuePart: number;
  channelsPart: number;
  recencyPart: number;
  nextMilestone: string | null;
  nextBestAction: string | null;
}

export function journeyDetail(db: Database, profileId: number): JourneyDetailRow | undefined {
  return stmt(
    db,
    `SELECT stage, stage_why AS stageWhy, entered_stage_at AS enteredStageAt, lapsed, score,
       engagement_part AS engagementPart, value_part AS valuePart, channels_part AS channelsPart,
       recency_part AS recencyPart, next_milestone AS nextMilestone, next_best_action AS nextBestAction
     FROM customer_journey WHERE profile_id = ?`,
  ).get(profileId) as JourneyDetailRow | undefined;
}

export function profileExists(db: Database, brandId: number, profileId: number): boolean {
  return stmt(db, 'SELECT 1 FROM customer_profile WHERE id = ? AND brand_id = ?').get(profileId, brandId) !== undefined;
}

export function transitionsOf(
  db: Database,
  profileId: number,
  limit: number,
): { from: string | null; to: string; at: number; why: string; cause: string }[] {
  return stmt(
    db,
    `SELECT from_stage AS "from", to_stage AS "to", at, why, cause FROM customer_journey_transition
     WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
  ).all(profileId, limit) as { from: string | null; to: string; at: number; why: string; cause: string }[];
}

export function touchpointsOf(
  db: Database,
  profileId: number,
  limit: number,
): { eventId: number; type: string; channel: string; at: number }[] {
  return stmt(
    db,
    `SELECT id AS eventId, event_type AS type, source AS channel, occurred_at AS at FROM customer_raw_event
     WHERE customer_profile_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
  ).all(profileId, limit) as { eventId: number; type: string; channel: string; at: number }[];
}

export function channelsOf(db: Database, profileId: number): { channel: string; events: number }[] {
  return stmt(
    db,
    `SELECT source AS channel, count(*) AS events FROM customer_raw_event WHERE customer_profile_id = ?
     GROUP BY source ORDER BY events DESC, source`,
  ).all(profileId) as { channel: string; events: number }[];
}
