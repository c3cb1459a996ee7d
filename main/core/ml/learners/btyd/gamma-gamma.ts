/**
 * The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): how much a customer's orders are worth,
 * fitted by maximum likelihood on repeat buyers' average order values, and the expected spend in a coming window
 * with BG/NBD's expected purchases (bgnbd.ts). Pure and deterministic.
 */
import { type BgnbdCustomer, type BgnbdParams, expectedPurchases } from './bgnbd';
import { type FitOptions, type FitResult, invalid, minimise } from './fitting';
import { lgamma } from './special';

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
