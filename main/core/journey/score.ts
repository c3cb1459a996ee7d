/**
 * The journey score: 40% engagement frequency, 30% purchase value, 20% channel diversity, 10% recency, each the
 * customer's percentile among the shop's customers (mid-rank: half the ties count below, so a shop where everyone
 * is alike puts everyone at 50, not 0 or 100).
 *
 * A full recompute ranks against the whole shop; a live event's update ranks one customer against the quantiles the
 * last recompute stored (at most 1,001 points a part: the same figure as the full ranking within 0.1 percentile,
 * and a binary search instead of a read of 100k customers; the live update's cost is not yet measured).
 */
import type { JourneyScore } from '../../../shared/contract/journeys';

export const SCORE_WEIGHTS = { engagement: 0.4, value: 0.3, channels: 0.2, recency: 0.1 } as const;

/** What the four parts rank: interactions in the last 90 days, lifetime value, channels used, days since last seen. */
export interface ScoreInputs {
  interactions90: number;
  value: number;
  channels: number;
  /** Null: never seen (ranks last). */
  daysSinceSeen: number | null;
}

/** Each part's values across the shop, sorted ascending (recency as minus days, so higher is better). */
export interface Distributions {
  engagement: number[];
  value: number[];
  channels: number[];
  recency: number[];
}

const NEVER = -1e9;
const QUANTILES = 1001;

export const recencyKey = (days: number | null): number => (days === null ? NEVER : -days);

/** First index whose value is ≥ x (`strict`: > x) in an ascending array. */
function bound(sorted: readonly number[], x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (strict ? v <= x : v < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mid-rank percentile (0–100) of x in an ascending array; 50 when there is nobody to compare with. */
export function percentileOf(sorted: readonly number[], x: number): number {
  if (sorted.length === 0) return 50;
  const below = bound(sorted, x, false);
  const notAbove = bound(sorted, x, true);
  return ((below + notAbove) / 2 / sorted.length) * 100;
}

/** At most 1,001 evenly spaced points of an ascending array (all of it when shorter). */
export function quantilesOf(sorted: readonly number[]): number[] {
  if (sorted.length <= QUANTILES) return [...sorted];
  const out: number[] = [];
  for (let i = 0; i < QUANTILES; i++)
    out.push(sorted[Math.round((i * (sorted.length - 1)) / (QUANTILES - 1))] as number);
  return out;
}

/** The value at quantile q (0–1) of an ascending array, by nearest rank; `fallback` when empty. */
export function quantile(sorted: readonly number[], q: number, fallback: number): number {
  if (sorted.length === 0) return fallback;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function journeyScore(inputs: ScoreInputs, d: Distributions): JourneyScore {
  const engagement = round1(percentileOf(d.engagement, inputs.interactions90));
  const value = round1(percentileOf(d.value, inputs.value));
  const channels = round1(percentileOf(d.channels, inputs.channels));
  const recency = round1(percentileOf(d.recency, recencyKey(inputs.daysSinceSeen)));
  const total = round1(
    SCORE_WEIGHTS.engagement * engagement +
      SCORE_WEIGHTS.value * value +
      SCORE_WEIGHTS.channels * channels +
      SCORE_WEIGHTS.recency * recency,
  );
  return { total, engagement, value, channels, recency };
}

/** The shop's distributions from every customer's inputs (sorted, full: for ranking in a recompute). */
export function distributionsOf(all: readonly ScoreInputs[]): Distributions {
  const asc = (xs: number[]) => xs.sort((a, b) => a - b);
  return {
    engagement: asc(all.map((c) => c.interactions90)),
    value: asc(all.map((c) => c.value)),
    channels: asc(all.map((c) => c.channels)),
    recency: asc(all.map((c) => recencyKey(c.daysSinceSeen))),
  };
}

/** What is stored for live updates: each part's quantiles. */
export function storedDistributions(d: Distributions): Distributions {
  return {
    engagement: quantilesOf(d.engagement),
    value: quantilesOf(d.value),
    channels: quantilesOf(d.channels),
    recency: quantilesOf(d.recency),
  };
}
