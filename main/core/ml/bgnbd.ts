/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") and the
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"), fitted by maximum
 * likelihood on one shop's own history. Owns the likelihoods, the fits and the
 * per-customer predictions: P(alive), purchases and spend in a coming window, the chance of
 * no purchase in that window (the churn score; 1 − P(alive) is not one, since one-time
 * buyers have P(alive) = 1) and when the next purchase is likely.
 *
 * Pure and deterministic (no database, no randomness) so the training worker and the tests
 * get the same numbers. Time unit: whatever the caller uses for tx, T and t (weeks in the
 * tests); alpha comes out in that unit. Customers with identical (x, tx, T) are fitted as one
 * weighted group, so round times to whole days first: that is what makes 100k customers fast.
 */
import { AppError } from '../../../shared/contract/errors';

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

export interface SpendCustomer {
  /** Repeat purchases (the spend model ignores customers with x = 0). */
  x: number;
  /** Mean value of those x repeat purchases; must be > 0. */
  m: number;
}

/** Purchase value ~ Gamma(p, rate ν) per customer, ν ~ Gamma(q, rate gamma) across customers. */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface FitOptions {
  /** Cap on likelihood evaluations over all restarts (default 5000). */
  maxEvaluations?: number;
  /** Stop when the mean log-likelihood per customer changes by less than this (default 1e-10). */
  tolerance?: number;
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

export interface FitResult<P> {
  params: P;
  /** Summed log-likelihood at params. */
  logLikelihood: number;
  /** Customers that carried information (for Gamma-Gamma, those with x > 0). */
  customers: number;
  /** Distinct likelihood terms evaluated per step after grouping. */
  groups: number;
  evaluations: number;
  /** False when the evaluation cap stopped the search before the tolerance was met. */
  converged: boolean;
}

// ---------------------------------------------------------------------------------------
// Special functions

/** ln Γ(x) for x > 0 by the Lanczos approximation (g = 7, 9 terms, ~15 digits); reflection below 1/2. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0 && Number.isInteger(x)) return Number.POSITIVE_INFINITY;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  const series =
    0.99999999999980993 +
    676.5203681218851 / (z + 1) -
    1259.1392167224028 / (z + 2) +
    771.32342877765313 / (z + 3) -
    176.61502916214059 / (z + 4) +
    12.507343278686905 / (z + 5) -
    0.13857109526572012 / (z + 6) +
    9.9843695780195716e-6 / (z + 7) +
    1.5056327351493116e-7 / (z + 8);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/** ln(e^u + e^v) without overflow or underflow: the two BG/NBD terms differ by hundreds of nats for loyal buyers. */
function logAddExp(u: number, v: number): number {
  const high = Math.max(u, v);
  if (high === Number.NEGATIVE_INFINITY) return high;
  return high + Math.log1p(Math.exp(-Math.abs(u - v)));
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

function invalid(message: string, field?: string): AppError {
  return new AppError('validation', message, field);
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
// Optimiser

interface Vertex {
  v: number[];
  f: number;
}

function vertexAt(simplex: readonly Vertex[], i: number): Vertex {
  const vertex = simplex[i];
  if (!vertex) throw new Error(`simplex has no vertex ${i}`);
  return vertex;
}

/** from + k · (to − from), coordinate-wise. */
function along(from: readonly number[], to: readonly number[], k: number): number[] {
  return from.map((value, j) => value + k * ((to[j] ?? value) - value));
}

/**
 * Nelder–Mead (standard coefficients 1, 2, ½, ½). Derivative-free because the likelihood's
 * gradient needs digamma terms per group for no gain at 3–4 parameters. Non-finite values
 * count as +∞ so the search simply walks away from impossible parameters.
 */
function nelderMead(
  f: (v: readonly number[]) => number,
  start: readonly number[],
  step: number,
  tolerance: number,
  maxEvaluations: number,
): { best: Vertex; evaluations: number; converged: boolean } {
  let evaluations = 0;
  const evaluate = (v: number[]): Vertex => {
    evaluations += 1;
    const value = f(v);
    return { v, f: Number.isFinite(value) ? value : Number.POSITIVE_INFINITY };
  };
  const n = start.length;
  const simplex = [
    evaluate([...start]),
    ...start.map((_, i) => evaluate(start.map((s, j) => (j === i ? s + step : s)))),
  ];
  const byValue = (p: Vertex, q: Vertex) => p.f - q.f;
  for (;;) {
    simplex.sort(byValue);
    const best = vertexAt(simplex, 0);
    const worst = vertexAt(simplex, n);
    const spread = Math.max(
      ...simplex.map((vertex) => Math.max(...vertex.v.map((x, j) => Math.abs(x - (best.v[j] ?? x))))),
    );
    if (worst.f - best.f <= tolerance && spread <= 1e-6) return { best, evaluations, converged: true };
    if (evaluations >= maxEvaluations) return { best, evaluations, converged: false };
    const centroid = best.v.map((_, j) => simplex.slice(0, n).reduce((sum, vertex) => sum + (vertex.v[j] ?? 0), 0) / n);
    const reflected = evaluate(along(worst.v, centroid, 2));
    let next: Vertex | undefined;
    if (reflected.f < best.f) {
      const expanded = evaluate(along(worst.v, centroid, 3));
      next = expanded.f < reflected.f ? expanded : reflected;
    } else if (reflected.f < vertexAt(simplex, n - 1).f) {
      next = reflected;
    } else if (reflected.f < worst.f) {
      const outside = evaluate(along(worst.v, centroid, 1.5));
      if (outside.f <= reflected.f) next = outside;
    } else {
      const inside = evaluate(along(worst.v, centroid, 0.5));
      if (inside.f < worst.f) next = inside;
    }
    if (next) simplex[n] = next;
    else for (let i = 1; i <= n; i++) simplex[i] = evaluate(along(best.v, vertexAt(simplex, i).v, 0.5));
  }
}

/**
 * Minimises over log-parameters (so every parameter stays positive), restarting from the
 * best point with a fresh, smaller simplex until a restart no longer improves: Nelder–Mead
 * can stall on a collapsed simplex, and a restart is the cheap cure.
 */
function minimise(
  objective: (v: readonly number[]) => number,
  start: readonly number[],
  options: FitOptions,
): { best: Vertex; evaluations: number; converged: boolean } {
  const tolerance = options.tolerance ?? 1e-10;
  const maxEvaluations = options.maxEvaluations ?? 5000;
  let run = nelderMead(objective, start, 0.5, tolerance, maxEvaluations);
  let evaluations = run.evaluations;
  let settled = false;
  for (let restart = 0; restart < 5 && !settled && evaluations < maxEvaluations; restart++) {
    const again = nelderMead(objective, run.best.v, 0.1, tolerance, maxEvaluations - evaluations);
    evaluations += again.evaluations;
    settled = again.converged && run.best.f - again.best.f <= tolerance;
    run = again;
  }
  return { best: run.best, evaluations, converged: settled };
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
 * Tanh-sinh nodes for ∫₀¹, by refinement level (spacing 2^−level on |t| ≤ 5). Each node keeps
 * ln p and ln(1 − p) computed directly, so Beta densities with a or b below 1 (infinite at an
 * end) are integrated without cancellation; the level-0 nodes are the integers.
 */
interface QuadratureNode {
  p: number;
  logP: number;
  log1mP: number;
  /** π cosh(t): the map's Jacobian is π cosh(t) · p(1 − p); the h factor is applied per level. */
  weight: number;
}
/** ln(1/(1 + e^(−y))), exact in both tails. */
function logSigmoid(y: number): number {
  return y > 0 ? -Math.log1p(Math.exp(-y)) : y - Math.log1p(Math.exp(y));
}
const TANH_SINH: QuadratureNode[][] = Array.from({ length: 7 }, (_, level) => {
  const h = 2 ** -level;
  const nodes: QuadratureNode[] = [];
  for (let k = -Math.round(5 / h); k <= Math.round(5 / h); k++) {
    if (level > 0 && k % 2 === 0) continue;
    const t = k * h;
    const u = Math.PI * Math.sinh(t);
    const logP = logSigmoid(u);
    const log1mP = logSigmoid(-u);
    nodes.push({ p: Math.exp(logP), logP, log1mP, weight: Math.PI * Math.cosh(t) });
  }
  return nodes;
});

/** E[g(p)] for p ~ Beta(a, b) by tanh-sinh quadrature, refined until two levels agree. */
function betaExpectation(g: (p: number) => number, a: number, b: number): number {
  const logNorm = lgamma(a) + lgamma(b) - lgamma(a + b);
  let sum = 0;
  let estimate = 0;
  for (const [level, nodes] of TANH_SINH.entries()) {
    for (const node of nodes) {
      // The Jacobian's p(1 − p) is folded into the density, p^a (1 − p)^b instead of p^(a−1) (1 − p)^(b−1),
      // which keeps every term finite even where the density itself is infinite.
      sum += node.weight * g(node.p) * Math.exp(a * node.logP + b * node.log1mP - logNorm);
    }
    const next = sum * 2 ** -level;
    if (level >= 3 && Math.abs(next - estimate) <= 1e-9 * Math.abs(next)) return next;
    estimate = next;
  }
  return estimate;
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

// ---------------------------------------------------------------------------------------
// Gamma-Gamma spend model

interface SpendBlock {
  x: number;
  count: number;
  sumLogM: number;
  means: number[];
}

function groupSpend(customers: readonly SpendCustomer[]): SpendBlock[] {
  const byX = new Map<number, SpendBlock>();
  customers.forEach((c, i) => {
    if (!Number.isInteger(c.x) || c.x < 0) {
      throw invalid(`Customer ${i + 1}: repeat purchases must be a whole number ≥ 0.`, 'x');
    }
    if (c.x === 0) return;
    if (!(Number.isFinite(c.m) && c.m > 0)) {
      throw invalid(`Customer ${i + 1}: the average order value must be above 0.`, 'm');
    }
    let block = byX.get(c.x);
    if (!block) {
      block = { x: c.x, count: 0, sumLogM: 0, means: [] };
      byX.set(c.x, block);
    }
    block.count += 1;
    block.sumLogM += Math.log(c.m);
    block.means.push(c.m);
  });
  return [...byX.values()];
}

/**
 * The mean m of x purchases, given ν, is Gamma(px, rate νx); integrating ν ~ Gamma(q, γ):
 *   f(m) = Γ(px+q)/(Γ(px)Γ(q)) · γ^q · x^(px) · m^(px−1) / (γ + xm)^(px+q).
 */
function spendLogLikelihood(params: GammaGammaParams, blocks: readonly SpendBlock[]): number {
  const { p, q, gamma } = params;
  const base = q * Math.log(gamma) - lgamma(q);
  let total = 0;
  for (const { x, count, sumLogM, means } of blocks) {
    const px = p * x;
    total += count * (base + lgamma(px + q) - lgamma(px) + px * Math.log(x)) + (px - 1) * sumLogM;
    let tail = 0;
    for (const m of means) tail += Math.log(gamma + x * m);
    total -= (px + q) * tail;
  }
  return total;
}

/** Summed Gamma-Gamma log-likelihood; customers with x = 0 contribute nothing and are skipped. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly SpendCustomer[]): number {
  return spendLogLikelihood(params, groupSpend(customers));
}

function spendFromLog(v: readonly number[]): GammaGammaParams {
  const [p = 0, q = 0, gamma = 0] = v.map(Math.exp);
  return { p, q, gamma };
}

/** Maximum-likelihood Gamma-Gamma parameters from repeat buyers (x > 0) and their mean order values. */
export function fitGammaGamma(
  customers: readonly SpendCustomer[],
  options: FitOptions = {},
): FitResult<GammaGammaParams> {
  const blocks = groupSpend(customers);
  const count = blocks.reduce((sum, block) => sum + block.count, 0);
  if (count < 2) throw invalid('At least two customers must have bought twice before spend can be learned.');
  const meanOrder = blocks.reduce((sum, block) => sum + block.means.reduce((s, m) => s + m, 0), 0) / count;
  const objective = (v: readonly number[]) => -spendLogLikelihood(spendFromLog(v), blocks) / count;
  // p = 1, q = 2 and γ = the mean order value put the model's population mean pγ/(q−1) on the data's.
  const { best, evaluations, converged } = minimise(objective, [0, Math.log(2), Math.log(meanOrder)], options);
  const params = spendFromLog(best.v);
  return {
    params,
    logLikelihood: spendLogLikelihood(params, blocks),
    customers: count,
    groups: count,
    evaluations,
    converged,
  };
}

/**
 * E[mean order value | x, m] = p(γ + xm)/(px + q − 1): a weighted average of the population
 * mean pγ/(q−1) and the customer's own m, leaning on m as x grows. With x = 0, m is ignored.
 * Infinity when the posterior mean does not exist (px + q ≤ 1).
 */
export function expectedAverageSpend(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = params;
  const denominator = p * x + q - 1;
  if (denominator <= 0) return Number.POSITIVE_INFINITY;
  return (p * (gamma + (x > 0 ? x * m : 0))) / denominator;
}

/** Expected spend in (T, T+t]: expected purchases × expected value of each. */
export function expectedSpend(
  bgnbd: BgnbdParams,
  spend: GammaGammaParams,
  customer: BgnbdCustomer & { m: number },
  t: number,
): number {
  const purchases = expectedPurchases(bgnbd, customer, t);
  return purchases === 0 ? 0 : purchases * expectedAverageSpend(spend, customer.x, customer.m);
}
