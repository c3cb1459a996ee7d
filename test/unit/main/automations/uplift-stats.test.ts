import { describe, expect, it } from 'vitest';
import { chiSquareQuantile } from '../../../../main/core/automations/uplift/intervals';
import {
  customersNeeded,
  estimateUplift,
  MIN_BUYERS,
  MIN_CUSTOMERS,
  newcombeInterval,
  normalQuantile,
  type Unit,
  upliftCandidates,
  wilsonInterval,
} from '../../../../main/core/automations/uplift/stats';
import {
  type MeanInterval,
  moverDifference,
  type TwoPartSample,
  twoPartDifference,
  twoPartMeanInterval,
  twoPartSample,
} from '../../../../main/core/automations/uplift/twopart';

const Z95 = 1.959963984540054;

describe('normalQuantile (AS 241)', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.8, 0.8416212335729143],
    [0.9, 1.2815515655446004],
    [0.5, 0],
    [0.025, -1.959963984540054],
    [1e-10, -6.361340902404056],
    [1e-20, -9.26234008979841],
  ])('Φ⁻¹(%s) = %s', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 12);
  });
});

describe('wilsonInterval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat Med 17:857, method 3.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i → %s to %s', (x, n, low, high) => {
    const w = wilsonInterval(x, n, Z95);
    expect(w.low).toBeCloseTo(low, 4);
    expect(w.high).toBeCloseTo(high, 4);
  });
});

describe('newcombeInterval (method 10)', () => {
  // Newcombe (1998), "Interval estimation for the difference between independent proportions: comparison of
  // eleven methods", Stat Med 17:873, Table II, method 10. (56/70 − 48/80 is 0.2000 with 0.0524 to 0.3339.)
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('%i/%i − %i/%i → %s to %s', (x1, n1, x2, n2, low, high) => {
    const d = newcombeInterval(x1, n1, x2, n2);
    expect(d.estimate).toBeCloseTo(x1 / n1 - x2 / n2, 12);
    expect(d.low).toBeCloseTo(low, 4);
    expect(d.high).toBeCloseTo(high, 4);
  });
});

describe('customersNeeded', () => {
  it('matches Fleiss, Levin & Paik without continuity correction: 5% → 10% needs 435 per group', () => {
    expect(customersNeeded(0.05, 0.05)).toBe(435);
  });
  it("matches R's power.prop.test(p1 = .5, p2 = .75, power = .9): 76.65 → 77 per group", () => {
    expect(customersNeeded(0.5, 0.25, { power: 0.9 })).toBe(77);
  });
  it('grows as the difference to find shrinks, and refuses a difference of zero', () => {
    expect(customersNeeded(0.2, 0.02)).toBeGreaterThan(3.5 * customersNeeded(0.2, 0.04));
    expect(() => customersNeeded(0.2, 0)).toThrow(RangeError);
  });
});

/** A small deterministic shop: revenue driven almost entirely by predicted value, so adjustment must help. */
function shop(treated: number, heldOut: number, lift: number): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < treated + heldOut; i++) {
    const isTreated = i < treated;
    const value = 20 + ((i * 37) % 200);
    const churn = ((i * 13) % 100) / 100;
    const bought = (i * 7) % 3 !== 0 || (isTreated && (i * 11) % 10 < lift * 10);
    const revenue = bought ? value * 0.5 + ((i * 17) % 7) : 0;
    units.push({
      treated: isTreated,
      bought,
      orders: bought ? 1 + (i % 2) : 0,
      revenue,
      churnRisk: i % 9 === 0 ? null : churn,
      predictedValue: i % 11 === 0 ? null : value,
    });
  }
  return units;
}

/** Ordinary least squares by Gaussian elimination, for checking Lin's estimator independently. */
function ols(rows: number[][], y: number[]): number[] {
  const k = (rows[0] as number[]).length;
  const a = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + (r[i] as number) * (r[j] as number), 0)),
    rows.reduce((s, r, n) => s + (r[i] as number) * (y[n] as number), 0),
  ]);
  for (let c = 0; c < k; c++) {
    const pivot = a[c] as number[];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const row = a[r] as number[];
      const f = (row[c] as number) / (pivot[c] as number);
      for (let j = c; j <= k; j++) row[j] = (row[j] as number) - f * (pivot[j] as number);
    }
  }
  return a.map((row, i) => (row[k] as number) / (row[i] as number));
}

describe('chiSquareQuantile', () => {
  it.each([
    [0.025, 4, 0.4844185570879299],
    [0.975, 4, 11.143286781877796],
    [0.025, 43, 26.78537416553633],
    [0.975, 43, 62.990355531102004],
    [0.975, 1, 5.023886187314888],
    [0.5, 10, 9.34181776559197],
    [0.025, 2000, 1877.9460368153905],
  ])('p = %f with %i degrees of freedom matches R qchisq / scipy chi2.ppf', (p, df, expected) => {
    expect(chiSquareQuantile(p, df)).toBeCloseTo(expected, 8);
  });
});

describe('two-part intervals (share who bought × mean per buyer)', () => {
  it('log-normal per buyer: for many buyers the log-mean interval approaches the normal-theory one (Cox)', () => {
    // 4,000 customers all buying, log spend a fixed symmetric pattern with mean 3 and variance s².
    const logs = Array.from({ length: 4000 }, (_, i) => 3 + normalQuantile((i + 0.5) / 4000));
    const sample = twoPartSample(logs.map(Math.exp), true);
    expect(sample).not.toBeNull();
    const s = sample as NonNullable<typeof sample>;
    const interval = twoPartMeanInterval(s, 'lognormal', 0.95);
    const eta = s.mean + s.variance / 2;
    const cox = Z95 * Math.sqrt(s.variance / s.buyers + s.variance ** 2 / (2 * (s.buyers - 1)));
    const model = Math.exp(eta);
    const observed = s.total / s.customers;
    expect(interval?.estimate).toBeCloseTo(observed, 10);
    expect(Math.log(((interval?.low as number) * model) / observed)).toBeCloseTo(eta - cox, 2);
    expect(Math.log(((interval?.high as number) * model) / observed)).toBeCloseTo(eta + cox, 2);
  });

  it('the difference is the MOVER of the groups: holds the observed difference, skewed towards the held-out upper tail', () => {
    const spend = [12, 18, 25, 31, 44, 60, 95, 180];
    const messaged = [...spend, ...spend, ...spend, ...Array(96).fill(0)];
    const heldOut = [...spend, ...Array(32).fill(0)];
    const difference = twoPartDifference(messaged, heldOut, 'lognormal', 0.95);
    expect(difference).not.toBeNull();
    const d = difference as NonNullable<typeof difference>;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(d.estimate).toBeCloseTo(mean(messaged) - mean(heldOut), 10);
    expect(d.low).toBeLessThan(d.estimate);
    expect(d.high).toBeGreaterThan(d.estimate);
    // The held-out group's mean can be far higher than seen (its upper tail), so the difference reaches further down.
    expect(d.estimate - d.low).toBeGreaterThan(d.high - d.estimate);
    const one = twoPartMeanInterval(twoPartSample(messaged, true) as TwoPartSample, 'lognormal', 0.95);
    const zero = twoPartMeanInterval(twoPartSample(heldOut, true) as TwoPartSample, 'lognormal', 0.95);
    expect(d).toEqual(moverDifference(one as MeanInterval, zero as MeanInterval));
  });

  it('no log-normal interval for fewer than two buyers or no spread, and none at all for a negative value', () => {
    expect(twoPartDifference([0, 0, 5, 7], [0, 3, 0, 0], 'lognormal', 0.95)).toBeNull();
    expect(twoPartDifference([0, 0, 5, 7], [0, 3, 3, 0], 'lognormal', 0.95)).toBeNull();
    expect(twoPartSample([1, -2, 3], true)).toBeNull();
    // Orders: every buyer placed one order, so the per-buyer part has no spread and only the share is uncertain.
    const orders = twoPartDifference([1, 1, 0, 0, 1, 0, 1, 0], [1, 0, 0, 0, 1, 0, 0, 0], 'normal', 0.95);
    const share = newcombeInterval(4, 8, 2, 8);
    expect(orders?.estimate).toBeCloseTo(share.estimate, 12);
    expect(orders?.low).toBeLessThan(0);
  });
});

describe('estimateUplift', () => {
  it('sums each group and gives the plain differences when no covariate helps', () => {
    const units = shop(180, 40, 0.3).map((u) => ({ ...u, churnRisk: null, predictedValue: null }));
    const result = estimateUplift(units);
    const t = units.filter((u) => u.treated);
    const c = units.filter((u) => !u.treated);
    expect(result.messaged).toEqual({
      customers: 180,
      bought: t.filter((u) => u.bought).length,
      orders: t.reduce((s, u) => s + u.orders, 0),
      revenue: t.reduce((s, u) => s + u.revenue, 0),
    });
    expect(result.heldOut.customers).toBe(40);
    const mean = (us: Unit[], f: (u: Unit) => number) => us.reduce((s, u) => s + f(u), 0) / us.length;
    expect(result.revenuePerCustomer?.estimate).toBeCloseTo(mean(t, (u) => u.revenue) - mean(c, (u) => u.revenue), 10);
    expect(result.revenuePerCustomer?.adjusted).toBe(false);
    expect(result.boughtShare?.adjusted).toBe(false);
    const share = newcombeInterval(result.messaged.bought, 180, result.heldOut.bought, 40);
    expect(result.boughtShare).toEqual({ ...share, adjusted: false });
  });

  it('the adjusted estimate is the treatment coefficient of the regression with centred covariates and interactions (Lin)', () => {
    const units = shop(150, 60, 0.3);
    const candidates = upliftCandidates(units, { resamples: 99 });
    const adjusted = candidates.bootstrap?.adjusted?.[2];
    expect(adjusted).toBeTruthy();
    // Design: churn and log(1 + value), each missing filled with the mean and flagged.
    const impute = (values: (number | null)[]) => {
      const present = values.filter((v): v is number => v !== null);
      const m = present.reduce((s, v) => s + v, 0) / present.length;
      return [values.map((v) => v ?? m), values.map((v) => (v === null ? 1 : 0))];
    };
    const columns = [
      ...impute(units.map((u) => u.churnRisk)),
      ...impute(units.map((u) => (u.predictedValue === null ? null : Math.log1p(u.predictedValue)))),
    ];
    const centred = columns.map((col) => {
      const m = col.reduce((s, v) => s + v, 0) / col.length;
      return col.map((v) => v - m);
    });
    const rows = units.map((u, i) => {
      const t = u.treated ? 1 : 0;
      const x = centred.map((col) => col[i] as number);
      return [1, t, ...x, ...x.map((v) => v * t)];
    });
    const coefficients = ols(
      rows,
      units.map((u) => u.revenue),
    );
    expect(adjusted?.estimate).toBeCloseTo(coefficients[1] as number, 8);
  });

  it('uses the adjustment for the share when it narrows the interval, and says so; never for orders or revenue', () => {
    const units = shop(300, 100, 0.3);
    const result = estimateUplift(units);
    const candidates = upliftCandidates(units);
    const adjustedShare = candidates.bootstrap?.adjusted?.[0];
    const newcombe = candidates.newcombe;
    expect(adjustedShare && newcombe).toBeTruthy();
    const width = (i: { low: number; high: number } | null | undefined) => (i ? i.high - i.low : Number.NaN);
    expect(result.boughtShare?.adjusted).toBe(width(adjustedShare) < width(newcombe));
    // The adjusted money intervals undercover on the simulated shops (twopart.ts header): the two-part ones only.
    expect(result.revenuePerCustomer).toEqual({ ...candidates.twoPart?.revenue, adjusted: false });
    expect(result.ordersPerCustomer).toEqual({ ...candidates.twoPart?.orders, adjusted: false });
  });

  it('is deterministic for a seed; the money intervals are closed form and do not move with it', () => {
    const units = shop(180, 40, 0.3);
    expect(estimateUplift(units, { seed: 7 })).toEqual(estimateUplift(units, { seed: 7 }));
    expect(estimateUplift(units, { seed: 7 }).revenuePerCustomer).toEqual(
      estimateUplift(units, { seed: 8 }).revenuePerCustomer,
    );
    expect(upliftCandidates(units, { seed: 7 }).bootstrap?.plain[2]).not.toEqual(
      upliftCandidates(units, { seed: 8 }).bootstrap?.plain[2],
    );
  });

  it('a refund (negative revenue) falls back to the bootstrap-t interval, where the log-normal model cannot apply', () => {
    const units = shop(180, 40, 0.3);
    const refunded = units.map((u, i) => (i === 0 ? { ...u, revenue: -20 } : u));
    const candidates = upliftCandidates(refunded, { resamples: 199 });
    expect(candidates.twoPart?.revenue).toBeNull();
    const result = estimateUplift(refunded, { resamples: 199 });
    expect(result.revenuePerCustomer).not.toBeNull();
    const revenue = result.revenuePerCustomer;
    const bootstrapT = revenue?.adjusted ? candidates.bootstrap?.adjusted?.[2] : candidates.bootstrap?.plain[2];
    expect(revenue).toEqual({ ...bootstrapT, adjusted: revenue?.adjusted });
  });

  it(`gives no interval with fewer than ${MIN_CUSTOMERS} customers in a group, and none for money with fewer than ${MIN_BUYERS} buyers`, () => {
    const units = shop(180, 40, 0.3);
    const treated = units.filter((u) => u.treated);
    const heldOut = units.filter((u) => !u.treated);
    const tooFew = estimateUplift([...treated, ...heldOut.slice(0, MIN_CUSTOMERS - 1)]);
    expect(tooFew.boughtShare).toBeNull();
    expect(tooFew.revenuePerCustomer).toBeNull();
    expect(estimateUplift(treated).boughtShare).toBeNull();
    const fewBuyers = [
      ...treated,
      ...heldOut.filter((u) => !u.bought).slice(0, 20),
      ...heldOut.filter((u) => u.bought).slice(0, MIN_BUYERS - 1),
    ];
    const result = estimateUplift(fewBuyers);
    expect(result.boughtShare).not.toBeNull();
    expect(result.ordersPerCustomer).toBeNull();
    expect(result.revenuePerCustomer).toBeNull();
    expect(estimateUplift([]).heldOut).toEqual({ customers: 0, bought: 0, orders: 0, revenue: 0 });
  });
});
