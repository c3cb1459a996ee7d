/**
 * The shapes of "did this automation help?": one occasion per customer (messaged or held out, and what they did in
 * the window after the decision), the sums per group, and the differences (messaged − held out) with their 95%
 * intervals. Kept apart from the arithmetic so the store, the pages and the read-out share one vocabulary.
 */

/** One occasion: a customer assigned to be messaged (treated) or held out, and what they did in the window after the decision. */
export interface Unit {
  treated: boolean;
  bought: boolean;
  orders: number;
  revenue: number;
  /** 0–1 at the decision; null when the customer had no score yet. */
  churnRisk: number | null;
  /** Money, at the decision; null when the customer had no score yet. */
  predictedValue: number | null;
}

/** A difference, messaged − held out, with its interval at the requested confidence. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** regression adjustment used (it narrowed the interval) */
  adjusted: boolean;
}

export interface GroupSums {
  customers: number;
  bought: number;
  orders: number;
  revenue: number;
}

/** Intervals are null when a group is empty, or too small to say anything (see MIN_* in stats.ts). */
export interface UpliftResult {
  messaged: GroupSums;
  heldOut: GroupSums;
  boughtShare: Interval | null;
  ordersPerCustomer: Interval | null;
  revenuePerCustomer: Interval | null;
  /** The confidence the intervals were computed at (0.95 unless asked otherwise). */
  confidence: number;
}

export interface Readout {
  status: 'effect' | 'no_effect' | 'too_few';
  headline: string;
  bought: string;
  revenue: string;
  adjustedNote: string | null;
}
