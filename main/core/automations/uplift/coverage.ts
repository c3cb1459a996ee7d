/**
 * Coverage of the comparison's intervals on simulated shops (simulate.ts), shared by the unit test (few seeds) and
 * `npm run bench -- uplift` (hundreds). For each interval: how often it was given at all, how often it held the
 * true effect, and how often it excluded zero (with no true effect, that is the false-positive rate).
 */
import type { Studentized, TInterval } from './bootstrap';
import { simulateShop, type TrueEffects } from './simulate';
import { chooseIntervals, rescaledAdjusted, upliftCandidates } from './stats';

export interface Tally {
  given: number;
  covered: number;
  excludesZero: number;
  adjusted: number;
  meanWidth: number;
}

export const MEASURED = [
  'share.reported',
  'share.newcombe',
  'share.adjusted',
  'share.wald',
  'orders.reported',
  'orders.twoPart',
  'orders.adjusted',
  'orders.bootstrapT',
  'revenue.reported',
  'revenue.twoPart',
  'revenue.adjusted',
  'revenue.bootstrapT',
  'revenue.adjustedBootstrapT',
  'revenue.percentile',
] as const;
export type Measured = (typeof MEASURED)[number];

export interface CoverageRun {
  firings: number;
  effect: number;
  seeds: number;
  truth: TrueEffects;
  tallies: Record<Measured, Tally>;
  seconds: number;
}

/** The textbook Wald interval for a difference of shares: the baseline Newcombe is measured against. */
function waldInterval(b1: number, n1: number, b0: number, n0: number): TInterval {
  const p1 = b1 / n1;
  const p0 = b0 / n0;
  const half = 1.959963984540054 * Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  return { estimate: p1 - p0, low: p1 - p0 - half, high: p1 - p0 + half };
}

export function measureCoverage(options: {
  firings: number;
  effect: number;
  seeds: number;
  truth: TrueEffects;
  firstSeed?: number;
  resamples?: number;
}): CoverageRun {
  const started = performance.now();
  const tallies = Object.fromEntries(
    MEASURED.map((k) => [k, { given: 0, covered: 0, excludesZero: 0, adjusted: 0, meanWidth: 0 }]),
  ) as Record<Measured, Tally>;
  const count = (key: Measured, interval: (TInterval & { adjusted?: boolean }) | null | undefined, truth: number) => {
    if (!interval) return;
    const tally = tallies[key];
    tally.given++;
    if (interval.low <= truth && truth <= interval.high) tally.covered++;
    if (interval.low > 0 || interval.high < 0) tally.excludesZero++;
    if (interval.adjusted) tally.adjusted++;
    tally.meanWidth += interval.high - interval.low;
  };
  const first = options.firstSeed ?? 1;
  for (let seed = first; seed < first + options.seeds; seed++) {
    const units = simulateShop({ firings: options.firings, effect: options.effect, seed: 1_000_003 * seed });
    const candidates = upliftCandidates(units, { seed, resamples: options.resamples });
    const result = chooseIntervals(candidates);
    const { truth } = options;
    const { messaged, heldOut, bootstrap } = candidates;
    count('share.reported', result.boughtShare, truth.boughtShare);
    count('share.newcombe', candidates.newcombe, truth.boughtShare);
    count('share.adjusted', bootstrap?.adjusted?.[0], truth.boughtShare);
    if (candidates.newcombe)
      count(
        'share.wald',
        waldInterval(messaged.bought, messaged.customers, heldOut.bought, heldOut.customers),
        truth.boughtShare,
      );
    // The candidates below are counted only where the reported interval is given (enough buyers in each group).
    const given = result.revenuePerCustomer !== null;
    const twoPart = given ? candidates.twoPart : null;
    const adjusted = (o: 1 | 2, plain: TInterval | null | undefined) =>
      plain && bootstrap?.adjusted
        ? rescaledAdjusted(plain, {
            plain: bootstrap.original.plain[o] as Studentized,
            adjusted: bootstrap.original.adjusted[o] ?? null,
          })
        : null;
    count('orders.reported', result.ordersPerCustomer, truth.ordersPerCustomer);
    count('orders.twoPart', twoPart?.orders, truth.ordersPerCustomer);
    count('orders.adjusted', adjusted(1, twoPart?.orders), truth.ordersPerCustomer);
    count('orders.bootstrapT', given ? bootstrap?.plain[1] : null, truth.ordersPerCustomer);
    count('revenue.reported', result.revenuePerCustomer, truth.revenuePerCustomer);
    count('revenue.twoPart', twoPart?.revenue, truth.revenuePerCustomer);
    count('revenue.adjusted', adjusted(2, twoPart?.revenue), truth.revenuePerCustomer);
    count('revenue.bootstrapT', given ? bootstrap?.plain[2] : null, truth.revenuePerCustomer);
    count('revenue.adjustedBootstrapT', given ? bootstrap?.adjusted?.[2] : null, truth.revenuePerCustomer);
    count('revenue.percentile', given ? bootstrap?.percentile[2] : null, truth.revenuePerCustomer);
  }
  for (const tally of Object.values(tallies)) if (tally.given > 0) tally.meanWidth /= tally.given;
  const seconds = (performance.now() - started) / 1000;
  return {
    firings: options.firings,
    effect: options.effect,
    seeds: options.seeds,
    truth: options.truth,
    tallies,
    seconds,
  };
}
