/**
 * The shop's purchase pattern: BG/NBD (how often each customer buys and whether
 * they are still a customer) with Gamma-Gamma (how much each order is worth),
 * fitted on every buyer's history as of a date, read from the feature rows in
 * days. It gives every buyer's next-purchase figures in both modes, and in
 * small-shop mode (below the learned models' minimum data) the churn risk and
 * predicted value themselves.
 *
 * A buyer's summary: x = orders − 1 (repeat purchases), tx = days from the first
 * to the last purchase, T = days from the first purchase to the date, both in
 * whole days. Gamma-Gamma
 * takes each repeat buyer's average order value over all their orders (the
 * feature row has no separate figure for repeat orders; the first order's value
 * differs little in a small shop's history, and this is what the model sees).
 */
import type { NextPurchase } from '../../../../shared/contract/models';
import { FEATURE_NAMES } from '../feature-names';
import {
  type BgnbdCustomer,
  type BgnbdParams,
  type DropoutPrior,
  expectedPurchases,
  fitBgnbd,
  pAlive,
  pNoPurchase,
  pPurchase,
  timeToNextPurchase,
} from './btyd/bgnbd';
import { expectedSpend, fitGammaGamma, type GammaGammaParams } from './btyd/gamma-gamma';

const DAY = 86_400_000;

const FREQUENCY = FEATURE_NAMES.indexOf('frequency');
const RECENCY = FEATURE_NAMES.indexOf('recency_days');
const TENURE = FEATURE_NAMES.indexOf('tenure_days');
const AVERAGE_ORDER = FEATURE_NAMES.indexOf('avg_order_value');

export interface PurchasePattern {
  bgnbd: BgnbdParams;
  /**
   * Null when fewer than two customers have bought twice with a positive average, or the fit leaves the average
   * order value undefined (q ≤ 1): spend then comes from each customer's own average.
   */
  gammaGamma: GammaGammaParams | null;
}

/** The longest wait for a next purchase worth a date (five years); beyond it they are as good as gone. */
const LONGEST_WAIT_DAYS = 5 * 365;

/**
 * A fit with r or α below these has collapsed onto purchases with no time between them (for example every repeat
 * purchase on the same day as the first): its rates are infinite in effect and its figures nonsense, so none are
 * made. Large r and α together are fine: customers who all buy at much the same rate.
 */
const SANE = { rMin: 1e-3, alphaMin: 1e-3 };

function sane(params: BgnbdParams): boolean {
  return params.r >= SANE.rMin && params.alpha >= SANE.alphaMin;
}

/** A buyer's BG/NBD summary in days from their feature row; undefined for someone who has not bought. */
export function summary(row: ArrayLike<number>): Summary | undefined {
  const orders = row[FREQUENCY] ?? 0;
  const T = row[TENURE] ?? Number.NaN;
  const recency = row[RECENCY] ?? Number.NaN;
  if (!(orders > 0) || !Number.isFinite(T) || !Number.isFinite(recency)) return undefined;
  const m = row[AVERAGE_ORDER] ?? Number.NaN;
  // Whole days: customers with the same history then fit as one group (what makes a 100k-customer fit take a second).
  const age = Math.round(T);
  return {
    x: orders - 1,
    tx: Math.min(age, Math.max(0, Math.round(T - recency))),
    T: Math.max(age, 1e-6),
    m: Number.isFinite(m) ? m : 0,
  };
}

/**
 * Likelihood evaluations a fit may take. A shop's fit settles in a few hundred (489 for 100k simulated CDNOW
 * customers); one where almost nobody leaves drifts along a flat ridge (a and b growing together) that would use the
 * library default of 5,000 — 18 s at 100k — for predictions that no longer change.
 */
const FIT_EVALUATIONS = 1500;

/**
 * What a shop's history usually says about leaving, as a prior for the purchase pattern: the drop-out parameters
 * published for CDNOW (a = 0.793, b = 2.426: about one customer in four leaves after a purchase), give or take a
 * factor of e. A small shop's few months rarely show who has left, and maximum likelihood then concludes that nobody
 * ever does (a → 0): every customer "still a customer", churn risk blind to a long silence. With the prior, that
 * silence counts; from a few hundred customers on, their own history outweighs it.
 */
export const DROPOUT_PRIOR: DropoutPrior = { a: 0.793, b: 2.426, sd: 1 };

/**
 * BG/NBD fitted on the given rows' buyers; null when nobody bought twice (nothing to learn a rate from) or the fit
 * is not a shop's (see SANE). Plain maximum likelihood unless a prior is given.
 */
export function fitBuyers(rows: readonly ArrayLike<number>[], prior?: DropoutPrior): BgnbdParams | null {
  return fitSummaries(summaries(rows), prior);
}

type Summary = BgnbdCustomer & { m: number };

function summaries(rows: readonly ArrayLike<number>[]): Summary[] {
  return rows.map(summary).filter((c) => c !== undefined);
}

function fitSummaries(customers: readonly Summary[], prior?: DropoutPrior): BgnbdParams | null {
  try {
    const params = fitBgnbd(customers, { maxEvaluations: FIT_EVALUATIONS, ...(prior ? { prior } : {}) }).params;
    return sane(params) ? params : null;
  } catch {
    return null;
  }
}

/** BG/NBD (with the drop-out prior) and Gamma-Gamma on the given rows' buyers; null when BG/NBD cannot be fitted. */
export function fitPattern(rows: readonly ArrayLike<number>[]): PurchasePattern | null {
  const customers = summaries(rows);
  const bgnbd = fitSummaries(customers, DROPOUT_PRIOR);
  if (!bgnbd) return null;
  const spenders = customers.filter((c) => c.x > 0 && c.m > 0).map(({ x, m }) => ({ x, m }));
  let gammaGamma: GammaGammaParams | null = null;
  try {
    const fitted = fitGammaGamma(spenders, { maxEvaluations: FIT_EVALUATIONS }).params;
    // q ≤ 1 leaves the population's mean order value undefined: better none than an infinite spend.
    if (fitted.q > 1) gammaGamma = fitted;
  } catch {
    gammaGamma = null;
  }
  return { bgnbd, gammaGamma };
}

/** BG/NBD's chance that the buyer buys nothing in the next `days`; 0.5 when it has nothing to say. */
export function bgnbdChurn(params: BgnbdParams | null, row: ArrayLike<number>, days: number): number {
  const customer = summary(row);
  return params && customer ? pNoPurchase(params, customer, days) : 0.5;
}

/** Expected net spend over the next `days`: expected purchases × expected order value. */
export function patternValue(pattern: PurchasePattern, row: ArrayLike<number>, days: number): number {
  const customer = summary(row);
  if (!customer) return 0;
  const value = pattern.gammaGamma
    ? expectedSpend(pattern.bgnbd, pattern.gammaGamma, customer, days)
    : expectedPurchases(pattern.bgnbd, customer, days) * Math.max(0, customer.m);
  return Number.isFinite(value) ? Math.max(0, value) : 0;
}

/** What the pattern says about a buyer's next purchase as of `asOf` (undefined for someone who has not bought). */
export interface NextPurchaseFigures {
  stillActive: number;
  within30Days: number;
  within90Days: number;
  expectedPurchases: number;
  /** Epoch ms of the day by which a purchase is more likely than not; null when they are more likely gone (or it is over five years away). */
  expectedAt: number | null;
}

export function nextPurchase(
  pattern: PurchasePattern,
  row: ArrayLike<number>,
  asOf: number,
  horizonDays: number,
): NextPurchaseFigures | undefined {
  const customer = summary(row);
  if (!customer) return undefined;
  const { bgnbd } = pattern;
  const wait = timeToNextPurchase(bgnbd, customer, 0.5);
  return {
    stillActive: pAlive(bgnbd, customer),
    within30Days: pPurchase(bgnbd, customer, 30),
    within90Days: pPurchase(bgnbd, customer, 90),
    expectedPurchases: expectedPurchases(bgnbd, customer, horizonDays),
    // Whole days from the date (a wait under a day is "today"); years away is no date at all.
    expectedAt: wait === null || !(wait <= LONGEST_WAIT_DAYS) ? null : asOf + Math.ceil(wait) * DAY,
  };
}

/** The stored figures as the contract shows them. */
export function nextPurchaseView(
  row: {
    stillActive: number | null;
    purchase30d: number | null;
    purchase90d: number | null;
    expectedPurchases: number | null;
    nextPurchaseAt: number | null;
  },
  horizonDays: number,
  from: number,
): NextPurchase | null {
  const { stillActive, purchase30d, purchase90d, expectedPurchases, nextPurchaseAt } = row;
  if (![stillActive, purchase30d, purchase90d].every(Number.isFinite)) return null;
  const date = nextPurchaseAt !== null && Number.isFinite(nextPurchaseAt) ? new Date(nextPurchaseAt) : null;
  return {
    stillActive: stillActive as number,
    within30Days: purchase30d as number,
    within90Days: purchase90d as number,
    expectedPurchases: Number.isFinite(expectedPurchases) ? (expectedPurchases as number) : 0,
    horizonDays,
    from: new Date(from).toISOString(),
    expectedDate: date && Number.isFinite(date.getTime()) ? date.toISOString() : null,
  };
}
