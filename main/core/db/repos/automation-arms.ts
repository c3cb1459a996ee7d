/**
 * The comparison's SQL: the arm each occasion was drawn into (messaged, held out, the shop-wide comparison group)
 * with the scores the customer had then, and what they bought in the window after it. Purchases count once per order
 * (the same order from two sources counts once) and an order cancelled within the window counts nothing; refunds are
 * left out (a refund days later would move a purchase out of a window it was in).
 */
import { clampMoney } from '../../../../shared/limits';
import type { Database } from '../open';
import { stmt } from '../statements';
import { primeSteadyOf, steadyOf } from '../steady-reads';

/** The arm an occasion was drawn into, with the scores the customer had at that moment (null when not scored). */
export interface ArmDraw {
  arm: 'messaged' | 'held_out' | 'comparison_group';
  churnRisk: number | null;
  predictedValue: number | null;
}

type Scores = Pick<ArmDraw, 'churnRisk' | 'predictedValue'>;
const SCORES = 'scores';
const NONE: Scores = { churnRisk: null, predictedValue: null };

/** Today's churn risk (0–1) and predicted value of a customer; a steady read inside a batch (see prefetch). */
export function scoresOf(db: Database, profileId: number): Scores {
  return steadyOf(SCORES, profileId, () => {
    const row = stmt(
      db,
      'SELECT churn_score AS churnRisk, ltv_score AS predictedValue FROM predictions WHERE profile_id = ?',
    ).get(profileId) as Scores | undefined;
    return row ?? NONE;
  });
}

export const SCORES_KIND = SCORES;

/** The scores of a chunk's customers at once (an automation sweep's prefetch). */
export function primeScores(db: Database, ids: readonly number[]): void {
  const rows = stmt(
    db,
    `SELECT profile_id AS profileId, churn_score AS churnRisk, ltv_score AS predictedValue FROM predictions
     WHERE profile_id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids)) as (Scores & { profileId: number })[];
  const found = new Map(rows.map((r) => [r.profileId, r]));
  for (const id of ids) {
    const r = found.get(id);
    primeSteadyOf(SCORES, id, r ? { churnRisk: r.churnRisk, predictedValue: r.predictedValue } : NONE);
  }
}

export interface ArmRow {
  executionId: number;
  automationId: number;
  profileId: number;
  arm: ArmDraw['arm'];
  armAt: number;
  churnAt: number | null;
  valueAt: number | null;
}

/**
 * Occasions drawn into an arm whose window has ended by `until` (so every one is counted over its full window), of
 * one automation or campaign, or of all.
 */
export function armRows(db: Database, brandId: number, automationId: number | null, until: number): ArmRow[] {
  return stmt(
    db,
    `SELECT id AS executionId, automation_id AS automationId, profile_id AS profileId, arm, arm_at AS armAt,
       churn_at AS churnAt, value_at AS valueAt
     FROM automation_execution
     WHERE brand_id = ? AND (? IS NULL OR automation_id = ?) AND arm IS NOT NULL AND arm_at <= ?
       AND profile_id IS NOT NULL
     ORDER BY id`,
  ).all(brandId, automationId, automationId, until) as ArmRow[];
}

/** Occasions drawn whose window has not ended yet (counted once it has). */
export function armsStillOpen(db: Database, brandId: number, automationId: number | null, after: number): number {
  return (
    stmt(
      db,
      `SELECT count(*) AS n FROM automation_execution
       WHERE brand_id = ? AND (? IS NULL OR automation_id = ?) AND arm IS NOT NULL AND arm_at > ?`,
    ).get(brandId, automationId, automationId, after) as { n: number }
  ).n;
}

/** Orders and revenue of a customer from `from` (inclusive) to `to` (exclusive). */
export function boughtBetween(
  db: Database,
  profileId: number,
  from: number,
  to: number,
): { orders: number; revenue: number } {
  const rows = stmt(
    db,
    `SELECT id, event_type AS type, payload ->> '$.orderId' AS orderId, payload ->> '$.total' AS total
     FROM customer_raw_event WHERE customer_profile_id = ? AND event_type IN ('purchase', 'cancellation')
       AND occurred_at >= ? AND occurred_at < ?`,
  ).all(profileId, from, to) as { id: number; type: string; orderId: string | null; total: number | null }[];
  const orders = new Map<string, number>();
  const cancelled = new Set<string>();
  for (const r of rows) {
    if (r.type === 'cancellation') {
      if (r.orderId) cancelled.add(`o:${r.orderId}`);
      continue;
    }
    const key = r.orderId ? `o:${r.orderId}` : `e:${r.id}`;
    orders.set(key, Math.max(orders.get(key) ?? 0, clampMoney(Number(r.total ?? 0) || 0)));
  }
  let revenue = 0;
  let count = 0;
  for (const [key, total] of orders) {
    if (cancelled.has(key)) continue;
    revenue += total;
    count += 1;
  }
  return { orders: count, revenue: Math.round(revenue * 100) / 100 };
}
