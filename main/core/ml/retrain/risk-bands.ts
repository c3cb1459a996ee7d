/**
 * High, Medium and Low churn risk, set from the shop's own buyers at each retrain, so "High" means the riskiest of
 * this shop's customers rather than a fixed percentage. (Fixed thresholds of 70% and 40% put 2,293 of an 18-month
 * till export's 3,105 customers in High and called 39% "Low"; where most buyers are unlikely to come back within the
 * horizon, a fixed line says little.)
 *
 * The rule, from the buyers' churn probabilities (calibrated, so their mean is the shop's expected churn rate):
 * - base rate: the mean churn probability of the buyers;
 * - High: from the 80th percentile (linear interpolation) of the scores above the base rate up: the riskiest fifth
 *   of the buyers who are riskier than the shop's usual;
 * - Low: below half the base rate;
 * - Medium: between.
 * When nobody is above the base rate (every buyer has the same risk), nobody is High: the High line is 1.
 * Each line then moves to where a shown percentage starts (`shownFloor`: 0.6234 to 0.615, the lowest risk shown as
 * "62%"), so the page's "High: 62% or more" and "Low: under 18%" hold for every risk shown beside them: Low to the
 * start of its own percentage; High to the start of its own or of the next shown percentage, whichever leaves High
 * nearer a fifth (where most customers are nearly certain not to come back, hundreds can be shown as "99.8%"), and
 * never down to the base rate.
 *
 * The thresholds are stored with the version (`ScoresArtifact.riskBands`), so a rollback keeps that version's bands;
 * a version saved before them has none and uses the old fixed ones (`FIXED_RISK_BANDS`). A customer's band is
 * `riskBandOf` (shared/risk-band.ts). Pure: no database.
 */
import type { RiskLevel } from '../../../../shared/contract/customers';
import { shownFloor } from '../../../../shared/risk-band';
import { lowerBound } from '../learners/sorted';

export interface RiskBands {
  /** The mean churn probability of the buyers when the version was made: the shop's expected churn rate. */
  baseRate: number;
  /** Churn risk from this up is High. */
  high: number;
  /** Churn risk below this is Low (Medium from it up to `high`). */
  low: number;
}

/** The thresholds of versions saved before the bands were set from the shop (no base rate). */
export const FIXED_RISK_BANDS: { high: number; low: number; baseRate: null } = { high: 0.7, low: 0.4, baseRate: null };

/** Share of the above-average buyers that is High. */
const HIGH_SHARE = 0.2;
/** Scores closer than this to the base rate count as at it, not above it. */
const SAME = 1e-9;

/** The shop's bands from its buyers' churn probabilities (nulls and non-finite values left out); null with none. */
export function fitRiskBands(scores: Iterable<number | null | undefined>): RiskBands | null {
  const finite: number[] = [];
  for (const s of scores) if (s !== null && s !== undefined && Number.isFinite(s)) finite.push(s);
  if (finite.length === 0) return null;
  const baseRate = finite.reduce((a, b) => a + b, 0) / finite.length;
  // The sum's rounding can put the mean of equal scores a hair below them: a billionth is no difference in risk.
  const above = finite.filter((s) => s > baseRate + SAME).sort((a, b) => a - b);
  const high = above.length === 0 ? 1 : quantileSorted(above, 1 - HIGH_SHARE);
  const low = shownFloor(baseRate / 2);
  return {
    baseRate,
    high: high >= 1 ? 1 : highLine(above, high, baseRate + SAME),
    low: low > 0 ? low : baseRate / 2,
  };
}

/**
 * The High line moved to the start of a shown percentage: its own, or the next one above it among the scores,
 * whichever puts nearer as many scores in High as `line` does (its own on a tie); `line` itself when neither is
 * above `floor`.
 */
function highLine(above: readonly number[], line: number, floor: number): number {
  const atOrAbove = (x: number) => above.length - lowerBound(above, x);
  const wanted = atOrAbove(line);
  const own = shownFloor(line);
  const nextScore = above.find((s) => s >= line && shownFloor(s) > own);
  const candidates = [own, ...(nextScore === undefined ? [] : [shownFloor(nextScore)])].filter((c) => c > floor);
  let best = line;
  let bestGap = Infinity;
  for (const c of candidates) {
    const gap = Math.abs(atOrAbove(c) - wanted);
    if (gap < bestGap) {
      best = c;
      bestGap = gap;
    }
  }
  return best;
}

/** The churn scores a band covers, as [from, to), as `riskBandOf` draws them: what the Customers filter selects. */
export function riskBandRange(level: RiskLevel, bands: Pick<RiskBands, 'high' | 'low'>): [number, number] {
  // Scores run from 0 to 1; the open ends reach past them.
  if (level === 'high') return [bands.high, 2];
  if (level === 'medium') return [bands.low, bands.high];
  return [-1, bands.low];
}

/** Value at quantile q of ascending values (linear interpolation between neighbours). */
function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}
