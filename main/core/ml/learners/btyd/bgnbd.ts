/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"), fitted by maximum
 * likelihood on one shop's own history. Owns the likelihood, the fit and the per-customer
 * predictions: P(alive), purchases in a coming window, the chance of no purchase in that
 * window (the churn score; 1 − P(alive) is not one, since one-time buyers have P(alive) = 1)
 * and when the next purchase is likely. Spend is the Gamma-Gamma model's (gamma-gamma.ts);
 * the optimiser is fitting.ts; ln Γ and the quadrature are special.ts.
 *
 * Pure and deterministic (no database, no randomness) so the training worker and the tests
 * get the same numbers. Time unit: whatever the caller uses for tx, T and t (weeks in the
 * tests); alpha comes out in that unit. Customers with identical (x, tx, T) are fitted as one
 * weighted group, so round times to whole days first: that is what makes 100k customers fast.
 */
import { type FitOptions, type FitResult, invalid, minimise } from './fitting';
import { betaExpectation, lgamma, logAddExp } from './special';

export interface BgnbdCustomer {
  /** Repeat purchases: purchases after the first one. */
  x: number;
  /** Time of the last purchase, counted from the first purchase; ignored when x = 0. */
  tx: number;
  /** Age: time from the first purchase to the end of the history (tx ≤ T). */
  T: number;
}

/** λ ~ Gamma(r, rate alpha) is the purchase rate; p ~ Beta(a, b) the chance of leaving after a repeat purchase. */
export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * A log-normal prior on BG/NBD's drop-out parameters a and b (maximum a posteriori instead of maximum likelihood):
 * ln a ~ N(ln a, sd²) and ln b ~ N(ln b, sd²). Its weight is fixed while the data's grows with the customers, so it
 * settles only what a small shop's history leaves open.
 */
export interface DropoutPrior {
  a: number;
  b: number;
  sd: number;
}

export interface BgnbdFitOptions extends FitOptions {
  prior?: DropoutPrior;
}

// ---------------------------------------------------------------------------------------
// BG/NBD likelihood

/**
 * A distinct time value (T or tx) shared by every group that has it. ln(α + time) is
 * refreshed once per likelihood evaluation, not once per group: with times in whole days a
 * shop has a few hundred distinct values against tens of thousands of groups, and the log
 * is most of the cost.
 */
interface Time {
  at: number;
  logShifted: number;
}
interface Cell {
  tx: Time;
  T: Time;
  n: number;
}
/** All groups sharing one x: the gamma-function part of the likelihood depends on x only. */
interface Block {
  x: number;
  cells: Cell[];
  /** Customers in the block. */
  n: number;
}
interface Grouped {
  blocks: Block[];
  times: Time[];
  customers: number;
  groups: number;
  repeatPurchases: number;
  totalAge: number;
}

function checkCustomer(c: BgnbdCustomer, i: number): void {
  const where = `Customer ${i + 1}`;
  if (!Number.isInteger(c.x) || c.x < 0) throw invalid(`${where}: repeat purchases must be a whole number ≥ 0.`, 'x');
  if (!Number.isFinite(c.T) || c.T < 0) throw invalid(`${where}: age must be a finite time ≥ 0.`, 'T');
  if (c.x > 0 && (!Number.isFinite(c.tx) || c.tx < 0 || c.tx > c.T)) {
    throw invalid(`${where}: the last purchase must fall between the first purchase and the end of the history.`, 'tx');
  }
}

function groupCustomers(customers: readonly BgnbdCustomer[]): Grouped {
  const times = new Map<number, Time>();
  const timeOf = (at: number): Time => {
    let time = times.get(at);
    if (!time) {
      time = { at, logShifted: 0 };
      times.set(at, time);
    }
    return time;
  };
  const byX = new Map<number, Map<string, Cell>>();
  let repeatPurchases = 0;
  let totalAge = 0;
  customers.forEach((c, i) => {
    checkCustomer(c, i);
    const tx = c.x > 0 ? c.tx : 0;
    let cells = byX.get(c.x);
    if (!cells) {
      cells = new Map();
      byX.set(c.x, cells);
    }
    const key = `${tx}|${c.T}`;
    const cell = cells.get(key);
    if (cell) cell.n += 1;
    else cells.set(key, { tx: timeOf(tx), T: timeOf(c.T), n: 1 });
    repeatPurchases += c.x;
    totalAge += c.T;
  });
  const blocks = [...byX].map(([x, byKey]) => {
    const cells = [...byKey.values()];
    return { x, cells, n: cells.reduce((count, cell) => count + cell.n, 0) };
  });
  const groups = blocks.reduce((sum, block) => sum + block.cells.length, 0);
  return { blocks, times: [...times.values()], customers: customers.length, groups, repeatPurchases, totalAge };
}

/**
 * FHL (2005) eq. 6 per customer, in logs:
 *   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
 *     + δ(x>0) · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+tx)^(r+x)).
 * Both terms share Γ(r+x)α^r/Γ(r) · Γ(a+b)Γ(b+x)/(Γ(b)Γ(a+b+x)); the second carries a/(b+x−1) more.
 */
function groupedLogLikelihood(params: BgnbdParams, grouped: Grouped): number {
  const { r, alpha, a, b } = params;
  for (const time of grouped.times) time.logShifted = Math.log(alpha + time.at);
  const base = r * Math.log(alpha) - lgamma(r) + lgamma(a + b) - lgamma(b);
  let total = 0;
  for (const { x, cells, n: customers } of grouped.blocks) {
    const rx = r + x;
    const shared = base + lgamma(rx) + lgamma(b + x) - lgamma(a + b + x);
    let sum = 0;
    if (x === 0) {
      for (const { T, n } of cells) sum -= n * rx * T.logShifted;
    } else {
      const dropped = Math.log(a) - Math.log(b + x - 1);
      for (const { tx, T, n } of cells) sum += n * logAddExp(-rx * T.logShifted, dropped - rx * tx.logShifted);
    }
    total += sum + shared * customers;
  }
  return total;
}

/** Summed BG/NBD log-likelihood of the customers at params. */
export function bgnbdLogLikelihood(params: BgnbdParams, customers: readonly BgnbdCustomer[]): number {
  return groupedLogLikelihood(params, groupCustomers(customers));
}

// ---------------------------------------------------------------------------------------
// BG/NBD fit and predictions

function bgnbdFromLog(v: readonly number[]): BgnbdParams {
  const [r = 0, alpha = 0, a = 0, b = 0] = v.map(Math.exp);
  return { r, alpha, a, b };
}

/** Maximum-likelihood BG/NBD parameters (maximum a posteriori with `prior`). Needs at least one repeat purchase. */
export function fitBgnbd(customers: readonly BgnbdCustomer[], options: BgnbdFitOptions = {}): FitResult<BgnbdParams> {
  const grouped = groupCustomers(customers);
  if (grouped.customers === 0) throw invalid('There are no customers to learn from yet.');
  if (grouped.repeatPurchases === 0) {
    throw invalid('Nobody has bought a second time yet, so purchase rates cannot be learned.');
  }
  if (grouped.totalAge === 0) throw invalid('Every customer is brand new, so there is no history to learn from yet.');
  // Mean per-customer likelihood keeps the tolerance meaningful whatever the shop's size.
  const { prior } = options;
  const penalty = (v: readonly number[]) => {
    if (!prior) return 0;
    const da = (v[2] as number) - Math.log(prior.a);
    const db = (v[3] as number) - Math.log(prior.b);
    return (da * da + db * db) / (2 * prior.sd * prior.sd);
  };
  const objective = (v: readonly number[]) =>
    (-groupedLogLikelihood(bgnbdFromLog(v), grouped) + penalty(v)) / grouped.customers;
  // Start at r = 1 with the Gamma's mean r/α equal to the shop's overall purchase rate.
  const start = [0, Math.log(grouped.totalAge / grouped.repeatPurchases), 0, 0];
  const { best, evaluations, converged } = minimise(objective, start, options);
  const params = bgnbdFromLog(best.v);
  return {
    params,
    logLikelihood: groupedLogLikelihood(params, grouped),
    customers: grouped.customers,
    groups: grouped.groups,
    evaluations,
    converged,
  };
}

/**
 * P(still active at T | x, tx, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+tx))^(r+x)).
 * Exactly 1 for x = 0: the model lets customers leave only after a repeat purchase.
 */
export function pAlive(params: BgnbdParams, customer: BgnbdCustomer): number {
  const { x, tx, T } = customer;
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[purchases in (T, T+t] | x, tx, T] (FHL eq. 10). Given alive, λ ~ Gamma(r+x, α+T) and
 * p ~ Beta(a, b+x) independently, and a customer who buys at rate λ and leaves after each
 * purchase with chance p makes (1 − e^(−λpt))/p purchases on average; integrating λ gives
 * E_p[(1 − (1 + pt/(α+T))^(−(r+x)))/p]. That one-dimensional integral is computed directly
 * rather than through FHL's 2F1 form, whose series crawls as t/(α+T+t) nears 1 and whose
 * (a+b+x−1)/(a−1) factor breaks at a = 1.
 */
export function expectedPurchases(params: BgnbdParams, customer: BgnbdCustomer, t: number): number {
  if (!(t > 0)) return 0;
  const { r, alpha, a, b } = params;
  const { x, T } = customer;
  const shape = r + x;
  const s = t / (alpha + T);
  // E[g(p)] as g(0) + E[g(p) − g(0)], g(0) = shape · s: with a tiny `a` (a shop where almost nobody leaves) the Beta
  // puts nearly all its weight at p ≈ 0, closer than the quadrature's nodes reach; the difference vanishes there.
  const atZero = shape * s;
  const perAlive = atZero + betaExpectation((p) => -Math.expm1(-shape * Math.log1p(p * s)) / p - atZero, a, b + x);
  return pAlive(params, customer) * perAlive;
}

/**
 * P(no purchase in (T, T+t]). A customer who has left buys nothing; one still active leaves
 * only after buying, so stays silent for t exactly when the Poisson clock does not tick:
 * e^(−λt), and with λ ~ Gamma(r+x, α+T) given alive, E[e^(−λt)] = ((α+T)/(α+T+t))^(r+x). Hence
 *   P(no purchase) = 1 − P(alive) + P(alive) · ((α+T)/(α+T+t))^(r+x).
 * This, not 1 − P(alive), is the churn score: it is high for one-time buyers.
 */
export function pNoPurchase(params: BgnbdParams, customer: BgnbdCustomer, t: number): number {
  return 1 - pPurchase(params, customer, t);
}

/** P(at least one purchase in (T, T+t]) = P(alive) · (1 − ((α+T)/(α+T+t))^(r+x)), computed without cancellation. */
export function pPurchase(params: BgnbdParams, customer: BgnbdCustomer, t: number): number {
  if (!(t > 0)) return 0;
  const { r, alpha } = params;
  const { x, T } = customer;
  return pAlive(params, customer) * -Math.expm1(-(r + x) * Math.log1p(t / (alpha + T)));
}

/**
 * How long after T until the customer has bought again with the given probability (default ½:
 * the median time to the next purchase, counting the chance that they have left). Inverts
 * pPurchase: w = (α+T) · ((1 − probability/P(alive))^(−1/(r+x)) − 1). Null when that
 * probability is never reached because P(alive) ≤ probability; add to T for a date.
 */
export function timeToNextPurchase(params: BgnbdParams, customer: BgnbdCustomer, probability = 0.5): number | null {
  if (!(probability > 0 && probability < 1)) throw invalid('The probability must be between 0 and 1.', 'probability');
  const alive = pAlive(params, customer);
  if (alive <= probability) return null;
  const { r, alpha } = params;
  return (alpha + customer.T) * Math.expm1(-Math.log1p(-probability / alive) / (r + customer.x));
}
