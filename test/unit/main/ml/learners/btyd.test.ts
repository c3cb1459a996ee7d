import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BgnbdCustomer,
  type BgnbdParams,
  bgnbdLogLikelihood,
  expectedPurchases,
  fitBgnbd,
  pAlive,
  pNoPurchase,
  pPurchase,
  timeToNextPurchase,
} from '../../../../../main/core/ml/learners/btyd/bgnbd';
import type { FitResult } from '../../../../../main/core/ml/learners/btyd/fitting';
import {
  expectedAverageSpend,
  expectedSpend,
  fitGammaGamma,
  type GammaGammaParams,
  gammaGammaLogLikelihood,
} from '../../../../../main/core/ml/learners/btyd/gamma-gamma';
import { lgamma } from '../../../../../main/core/ml/learners/btyd/special';
import { AppError } from '../../../../../shared/contract/errors';
import { CDNOW_BGNBD, CDNOW_GAMMA_GAMMA, type SimulatedCustomer, simulateBtyd } from '../../../../support/btyd';

// Reference computations below use only Math, factorials, series and quadrature written here,
// never the module, so an error in the module's algebra cannot cancel out.

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
/** Γ(n) for whole n. */
const gammaInt = (n: number) => factorial(n - 1);
const betaInt = (p: number, q: number) => (gammaInt(p) * gammaInt(q)) / gammaInt(p + q);

/** Composite Simpson's rule with n (even) panels. */
function simpson(f: (u: number) => number, lo: number, hi: number, n = 20_000): number {
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (sum * h) / 3;
}

/** The Gauss hypergeometric series 2F1(a, b; c; z) for 0 ≤ z < 1. */
function hyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 200_000 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
  }
  return sum;
}

/** FHL (2005) eq. 10, the closed form with 2F1. */
function fhlExpected({ r, alpha, a, b }: BgnbdParams, { x, tx, T }: BgnbdCustomer, t: number): number {
  const z = t / (alpha + T + t);
  const bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  const odds = x > 0 ? (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 0;
  return (((a + b + x - 1) / (a - 1)) * bracket) / (1 + odds);
}

/** Area under the ROC curve by ranks (Mann–Whitney), ties sharing their average rank. */
function auc(scores: readonly number[], positive: readonly boolean[]): number {
  const order = scores.map((score, i) => ({ score, hit: positive[i] === true })).sort((p, q) => p.score - q.score);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.score === order[i]?.score) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (order[k]?.hit) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const relativeError = (got: number, want: number) => Math.abs(got / want - 1);

describe('lgamma', () => {
  it.each([
    [1, 0],
    [2, 0],
    [0.5, 0.5 * Math.log(Math.PI)],
    [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
    [2.5, Math.log((3 * Math.sqrt(Math.PI)) / 4)],
    [10, Math.log(362_880)],
    [100, Array.from({ length: 99 }, (_, k) => Math.log(k + 1)).reduce((s, v) => s + v, 0)],
    // mpmath.loggamma at 30 digits, rounded to what a double holds.
    [0.001, 6.907178885383854],
    [0.243, 1.31804358469967],
    [1e6, 12815504.56914761],
  ])('lnΓ(%d)', (x, want) => {
    expect(Math.abs(lgamma(x) - want)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
  });

  it('keeps Γ(x+1) = xΓ(x) and the reflection formula', () => {
    for (const x of [0.01, 0.3, 0.77, 1.9, 4.414, 13.2, 250.5]) {
      expect(lgamma(x + 1) - lgamma(x)).toBeCloseTo(Math.log(x), 12);
    }
    expect(lgamma(0.3) + lgamma(0.7)).toBeCloseTo(Math.log(Math.PI / Math.sin(0.3 * Math.PI)), 13);
    expect(lgamma(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

const tiny: BgnbdCustomer[] = [
  { x: 0, tx: 0, T: 5 },
  { x: 2, tx: 3, T: 6 },
  { x: 1, tx: 0.5, T: 2 },
];

describe('bgnbdLogLikelihood', () => {
  it('matches FHL eq. 6 written out with factorials at whole-number parameters', () => {
    const [r, alpha, a, b] = [2, 3, 2, 3];
    const want = tiny
      .map(({ x, tx, T }) => {
        const rate = (s: number) => (gammaInt(r + x) * alpha ** r) / (gammaInt(r) * (alpha + s) ** (r + x));
        const drop = x > 0 ? (betaInt(a + 1, b + x - 1) / betaInt(a, b)) * rate(tx) : 0;
        return Math.log((betaInt(a, b + x) / betaInt(a, b)) * rate(T) + drop);
      })
      .reduce((s, v) => s + v, 0);
    expect(bgnbdLogLikelihood({ r, alpha, a, b }, tiny)).toBeCloseTo(want, 11);
  });

  it('equals the likelihood integrated over λ ~ Gamma(r, α) and p ~ Beta(a, b) numerically', () => {
    const [r, alpha, a, b] = [1.7, 2.5, 1.4, 2.2];
    // Substituting λ = u² and p = u² smooths the λ^(r−1) and p^(a−1) corners for Simpson.
    const overLambda = (k: number, s: number) =>
      simpson((u) => 2 * u ** (2 * r - 1 + 2 * k) * Math.exp(-(alpha + s) * u * u), 0, 12) /
      simpson((u) => 2 * u ** (2 * r - 1) * Math.exp(-alpha * u * u), 0, 12);
    const overP = (k: number, j: number) =>
      simpson((u) => 2 * u ** (2 * a - 1 + 2 * k) * (1 - u * u) ** (b - 1 + j), 0, 1) /
      simpson((u) => 2 * u ** (2 * a - 1) * (1 - u * u) ** (b - 1), 0, 1);
    const want = tiny
      .map(({ x, tx, T }) => {
        // Given λ and p: (1−p)^x λ^x e^(−λT) + δ(x>0) p(1−p)^(x−1) λ^x e^(−λ tx).
        const drop = x > 0 ? overP(1, x - 1) * overLambda(x, tx) : 0;
        return Math.log(overP(0, x) * overLambda(x, T) + drop);
      })
      .reduce((s, v) => s + v, 0);
    expect(bgnbdLogLikelihood({ r, alpha, a, b }, tiny)).toBeCloseTo(want, 7);
  });

  it('rejects impossible histories with a validation error', () => {
    expect(() => bgnbdLogLikelihood(CDNOW_BGNBD, [{ x: 1, tx: 9, T: 5 }])).toThrow(AppError);
    expect(() => bgnbdLogLikelihood(CDNOW_BGNBD, [{ x: 1.5, tx: 1, T: 5 }])).toThrow(/whole number/);
    expect(() => fitBgnbd([{ x: 0, tx: 0, T: 5 }])).toThrow(/bought a second time/);
  });
});

describe('BG/NBD predictions', () => {
  const params = CDNOW_BGNBD;
  const { r, alpha, a, b } = params;

  it('P(alive) is 1 for x = 0 and FHL eq. 13 otherwise', () => {
    expect(pAlive(params, { x: 0, tx: 0, T: 30 })).toBe(1);
    expect(pAlive(params, { x: 0, tx: 0, T: 0 })).toBe(1);
    // Bought at the very end: the odds ratio is a/(b+x−1) alone.
    expect(pAlive(params, { x: 3, tx: 20, T: 20 })).toBeCloseTo(1 / (1 + a / (b + 2)), 14);
    const odds = (a / (b + 1)) * ((alpha + 30) / (alpha + 4)) ** (r + 2);
    expect(pAlive(params, { x: 2, tx: 4, T: 30 })).toBeCloseTo(1 / (1 + odds), 14);
  });

  it('expected purchases match the 2F1 closed form (FHL eq. 10)', () => {
    const customers: BgnbdCustomer[] = [
      { x: 0, tx: 0, T: 0 },
      { x: 0, tx: 0, T: 35 },
      { x: 1, tx: 2, T: 30 },
      { x: 7, tx: 29, T: 31 },
      { x: 25, tx: 38, T: 39 },
    ];
    for (const c of customers) {
      for (const t of [1, 10, 39]) {
        expect(relativeError(expectedPurchases(params, c, t), fhlExpected(params, c, t))).toBeLessThan(1e-8);
      }
    }
    // FHL eq. 10 divides by a − 1; the quadrature passes through a = 1 smoothly.
    const atOne = expectedPurchases({ ...params, a: 1 }, { x: 2, tx: 10, T: 30 }, 39);
    const around = [0.999, 1.001].map((a1) => fhlExpected({ ...params, a: a1 }, { x: 2, tx: 10, T: 30 }, 39));
    expect(relativeError(atOne, ((around[0] ?? 0) + (around[1] ?? 0)) / 2)).toBeLessThan(1e-5);
    // A shop where almost nobody leaves fits a tiny a: the Beta's weight sits at p ≈ 0, and the expectation tends
    // to the Poisson rate's (r + x) t / (α + T) (it came out as 0 before, which made every small-shop value 0).
    for (const a of [1e-3, 1e-6, 5e-9]) {
      const c = { x: 5, tx: 60, T: 65 };
      const tiny = { r: 2, alpha: 10, a, b: 1 };
      expect(relativeError(expectedPurchases(tiny, c, 180), (pAlive(tiny, c) * (2 + 5) * 180) / 75)).toBeLessThan(
        a * 100,
      );
    }
  });

  it('P(no purchase) follows its derivation and has the right limits', () => {
    const c = { x: 2, tx: 4, T: 30 };
    const alive = pAlive(params, c);
    expect(pNoPurchase(params, c, 39)).toBeCloseTo(1 - alive + alive * ((alpha + 30) / (alpha + 69)) ** (r + 2), 14);
    expect(pPurchase(params, c, 39) + pNoPurchase(params, c, 39)).toBeCloseTo(1, 15);
    expect(pNoPurchase(params, c, 0)).toBe(1);
    expect(expectedPurchases(params, c, 0)).toBe(0);
    expect(pNoPurchase(params, c, 1e12)).toBeCloseTo(1 - alive, 3);
    const overTime = [1, 5, 20, 39, 100].map((t) => pNoPurchase(params, c, t));
    expect(overTime).toEqual([...overTime].sort((p, q) => q - p));
    // A brand-new customer (T = 0, x = 0) gets the prior: P(no purchase in t) = (α/(α+t))^r.
    expect(pNoPurchase(params, { x: 0, tx: 0, T: 0 }, 39)).toBeCloseTo((alpha / (alpha + 39)) ** r, 14);
  });

  it('time to next purchase inverts P(purchase) and is null when that chance is never reached', () => {
    const c = { x: 5, tx: 28, T: 30 };
    const median = timeToNextPurchase(params, c);
    expect(median).not.toBeNull();
    expect(pPurchase(params, c, median ?? Number.NaN)).toBeCloseTo(0.5, 12);
    const p70 = timeToNextPurchase(params, c, 0.7);
    expect(pPurchase(params, c, p70 ?? Number.NaN)).toBeCloseTo(0.7, 12);
    // Long silent after buying often: more likely gone than not, so no median exists.
    const lapsed = { x: 6, tx: 5, T: 39 };
    expect(pAlive(params, lapsed)).toBeLessThan(0.5);
    expect(timeToNextPurchase(params, lapsed)).toBeNull();
    // One-time buyers are alive by definition: a finite, long wait.
    expect(timeToNextPurchase(params, { x: 0, tx: 0, T: 0 })).toBeCloseTo(alpha * (2 ** (1 / r) - 1), 10);
    expect(() => timeToNextPurchase(params, c, 1)).toThrow(AppError);
  });
});

describe('Gamma-Gamma', () => {
  it('log-likelihood matches the closed form at whole-number parameters, skipping x = 0', () => {
    const [p, q, gamma] = [2, 3, 4];
    const customers = [
      { x: 1, m: 5 },
      { x: 3, m: 2.5 },
      { x: 0, m: 0 },
    ];
    const want = customers
      .filter(({ x }) => x > 0)
      .map(({ x, m }) => {
        const density =
          ((gammaInt(p * x + q) / (gammaInt(p * x) * gammaInt(q))) * gamma ** q * x ** (p * x) * m ** (p * x - 1)) /
          (gamma + x * m) ** (p * x + q);
        return Math.log(density);
      })
      .reduce((s, v) => s + v, 0);
    expect(gammaGammaLogLikelihood({ p, q, gamma }, customers)).toBeCloseTo(want, 12);
  });

  it('shrinks each customer’s mean toward the population mean', () => {
    const { p, q, gamma } = CDNOW_GAMMA_GAMMA;
    const population = (p * gamma) / (q - 1);
    expect(expectedAverageSpend(CDNOW_GAMMA_GAMMA, 0, 999)).toBeCloseTo(population, 12);
    expect(expectedAverageSpend(CDNOW_GAMMA_GAMMA, 2, 60)).toBeCloseTo((p * (gamma + 120)) / (2 * p + q - 1), 12);
    expect(expectedAverageSpend(CDNOW_GAMMA_GAMMA, 1000, 60)).toBeCloseTo(60, 0);
    expect(expectedAverageSpend({ p: 1, q: 0.5, gamma: 1 }, 0, 10)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('fitted on a simulated CDNOW shop (100k customers, 39 + 39 weeks)', () => {
  // 100k rather than 20k–50k: at 50k the seed-to-seed spread of b̂ is about 5.5%, so a 10%
  // bound would fail for roughly one seed in eight; at 100k it holds with room to spare.
  let shop: SimulatedCustomer[];
  let fit: FitResult<BgnbdParams>;
  let spendFit: FitResult<GammaGammaParams>;
  beforeAll(() => {
    shop = simulateBtyd({ customers: 100_000, seed: 20_250_501 });
    fit = fitBgnbd(shop);
    spendFit = fitGammaGamma(shop);
  });

  it('recovers r, α, a, b within 10% and beats the truth on likelihood', () => {
    expect(fit.converged).toBe(true);
    expect(fit.groups).toBeLessThan(fit.customers / 2);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(fit.params[key], CDNOW_BGNBD[key])).toBeLessThan(0.1);
    }
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdLogLikelihood(CDNOW_BGNBD, shop));
  });

  it('ranks who buys again in the next 39 weeks (AUC ≈ 0.72); 1 − P(alive) does not', () => {
    const bought = shop.map((c) => c.purchasedAgain);
    const score = auc(
      shop.map((c) => pPurchase(fit.params, c, 39)),
      bought,
    );
    expect(score).toBeGreaterThan(0.68);
    expect(score).toBeLessThan(0.78);
    expect(
      auc(
        shop.map((c) => pAlive(fit.params, c)),
        bought,
      ),
    ).toBeLessThan(0.5);
  });

  it('forecasts the holdout’s purchases and spend in total', () => {
    const purchases = shop.reduce((s, c) => s + expectedPurchases(fit.params, c, 39), 0);
    const actual = shop.reduce((s, c) => s + c.holdoutPurchases, 0);
    expect(relativeError(purchases, actual)).toBeLessThan(0.05);
    const spend = shop.reduce((s, c) => s + expectedSpend(fit.params, spendFit.params, c, 39), 0);
    const actualSpend = shop.reduce((s, c) => s + c.holdoutSpend, 0);
    expect(relativeError(spend, actualSpend)).toBeLessThan(0.1);
  });

  it('recovers the CDNOW Gamma-Gamma p, q, γ within 15% and improves on each customer’s own mean', () => {
    expect(spendFit.converged).toBe(true);
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(relativeError(spendFit.params[key], CDNOW_GAMMA_GAMMA[key])).toBeLessThan(0.15);
    }
    const buyers = shop.filter((c) => c.x > 0);
    const mae = (estimate: (c: SimulatedCustomer) => number) =>
      buyers.reduce((s, c) => s + Math.abs(estimate(c) - c.meanSpend), 0) / buyers.length;
    expect(mae((c) => expectedAverageSpend(spendFit.params, c.x, c.m))).toBeLessThan(mae((c) => c.m));
  });

  it('is deterministic', () => {
    const sample = shop.slice(0, 5000);
    expect(fitBgnbd(sample)).toEqual(fitBgnbd(sample));
  });
});
