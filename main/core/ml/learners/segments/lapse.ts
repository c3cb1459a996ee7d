/**

 * A segment describes the customer now, so it agrees with the churn risk beside it. A cluster is named after its
 * typical customer, and a customer near "Champions" may still have stopped coming (on an 18-month till export the best
 * customer, 50 weekly orders and silent for 158 days, was "Loyal" at >99% risk). So after the nearest cluster, one rule:
 * a buyer is **lapsing** when
 * - their silence (recency_days) is more than twice their own usual gap between purchases (gap_mean_days; for someone
 *   without one — a single order, or repeat orders on the same day — the shop's 75th-percentile gap) and longer than
 *   the shop's 75th-percentile gap (over buyers with a gap), or
 * - their churn risk is in the shop's High band (retrain/risk-bands.ts) — except a first-time buyer in "New" who is not
 *   overdue by the first test: a recent first order is what "New" says, and most first orders are never followed by a
 *   second, so a first-timer's risk is high without their being lapsed.
 * A lapsing buyer is "At risk" when they had been a good customer (two or more orders, or spend at least the shop's
 * median), else "Lost", whatever their cluster: nobody lapsing is Champions, Loyal, Promising, Need attention or
 * Hibernating, and "At risk" / "Lost" exist whenever lapsing customers do. The model stores what the rule needs (the
 * 75th-percentile gap, the High line, the median spend), so `assignSegment` gives the same answer for a rollback; a
 * model stored before the rule has none and assigns by cluster alone.
 */
import type { LapseRule } from './model';

/**
 * The name the lapsing rule (see the header) gives a buyer in the cluster named `cluster`: "At risk" or "Lost", or
 * null when they are not lapsing and keep the cluster's name.
 */
export function lapsedName(
  rule: LapseRule,
  frequencyColumn: number,
  row: ArrayLike<number>,
  churn: number | null,
  cluster: string,
): 'At risk' | 'Lost' | null {
  const orders = row[frequencyColumn] as number;
  const recency = row[rule.recencyColumn] as number;
  const p75 = rule.p75GapDays;
  const gap = rule.gapColumn === -1 ? Number.NaN : (row[rule.gapColumn] as number);
  const usualGap = gap > 0 ? gap : p75;
  const overdue = p75 !== null && usualGap !== null && recency > 2 * usualGap && recency > p75;
  const highRisk = rule.highRisk !== null && churn !== null && churn >= rule.highRisk;
  if (!overdue && !(highRisk && !(cluster === 'New' && orders <= 1))) return null;
  return orders >= 2 || (row[rule.monetaryColumn] as number) >= rule.medianSpend ? 'At risk' : 'Lost';
}
