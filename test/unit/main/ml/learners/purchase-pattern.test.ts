import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../../../main/core/ml/feature-names';
import {
  bgnbdChurn,
  fitBuyers,
  fitPattern,
  nextPurchase,
  nextPurchaseView,
  patternValue,
  summary,
} from '../../../../../main/core/ml/learners/purchase-pattern';

const col = (name: string) => FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);
const DAY = 86_400_000;

/** A buyer's feature row: `orders` orders every `gap` days, the last `recency` days ago. */
function buyer(orders: number, gap: number, recency: number, orderValue = 30): Float64Array {
  const row = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
  row[col('frequency')] = orders;
  row[col('recency_days')] = recency;
  row[col('tenure_days')] = recency + (orders - 1) * gap;
  row[col('avg_order_value')] = orderValue;
  row[col('monetary')] = orders * orderValue;
  return row;
}

/**
 * A young shop: five months of history, regulars buying every 20–30 days, and a few who bought three times and
 * then nothing for 100 days. Too few customers for their history to show that people leave.
 */
function youngShop(): { regulars: Float64Array[]; silent: Float64Array[] } {
  const regulars = Array.from({ length: 40 }, (_, i) => buyer(5 + (i % 3), 20 + (i % 11), 1 + (i % 15)));
  const silent = Array.from({ length: 5 }, (_, i) => buyer(3, 22 + i, 95 + i * 3));
  return { regulars, silent };
}

describe('the purchase pattern (BG/NBD with Gamma-Gamma, in days)', () => {
  it('summarises a feature row in whole days', () => {
    const row = buyer(4, 10.4, 5.6);
    expect(summary(row)).toEqual({ x: 3, tx: 31, T: 37, m: 30 });
    expect(summary(buyer(0, 0, Number.NaN))).toBeUndefined();
  });

  it('counts a long silence as risk in a young shop (the drop-out prior), where maximum likelihood would not', () => {
    const { regulars, silent } = youngShop();
    const rows = [...regulars, ...silent];
    const plain = fitBuyers(rows);
    const pattern = fitPattern(rows);
    expect(plain).not.toBeNull();
    expect(pattern).not.toBeNull();
    if (!plain || !pattern) return;
    const churn = (params: typeof plain, row: Float64Array) => bgnbdChurn(params, row, 90);
    const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
    // Maximum likelihood concludes nobody leaves: the silent customers look little riskier than the regulars.
    expect(mean(silent.map((r) => churn(plain, r)))).toBeLessThan(0.2);
    // With the prior, 100 days of silence from someone who bought every three weeks is a real risk.
    expect(mean(silent.map((r) => churn(pattern.bgnbd, r)))).toBeGreaterThan(0.35);
    expect(mean(regulars.map((r) => churn(pattern.bgnbd, r)))).toBeLessThan(0.15);
  });

  it('gives next-purchase figures and a value that agree with each other', () => {
    const { regulars, silent } = youngShop();
    const pattern = fitPattern([...regulars, ...silent]);
    if (!pattern) throw new Error('no fit');
    const asOf = Date.UTC(2026, 0, 1);
    const regular = nextPurchase(pattern, regulars[0] as Float64Array, asOf, 180);
    const gone = nextPurchase(pattern, silent[4] as Float64Array, asOf, 180);
    if (!regular || !gone) throw new Error('no figures');
    expect(regular.within30Days).toBeLessThan(regular.within90Days);
    expect(regular.within90Days).toBeLessThanOrEqual(regular.stillActive);
    expect(regular.stillActive).toBeGreaterThan(gone.stillActive);
    expect(regular.expectedPurchases).toBeGreaterThan(3);
    expect(regular.expectedAt).not.toBeNull();
    expect(((regular.expectedAt as number) - asOf) / DAY).toBeLessThan(40);
    // Value: expected orders × expected order value (Gamma-Gamma leans on the customer's own 30).
    const value = patternValue(pattern, regulars[0] as Float64Array, 180);
    expect(value / regular.expectedPurchases).toBeGreaterThan(25);
    expect(value / regular.expectedPurchases).toBeLessThan(35);
    expect(nextPurchase(pattern, buyer(0, 0, Number.NaN), asOf, 180)).toBeUndefined();
  });

  it('gives no date for a wait of years, and never stores or shows an impossible one', () => {
    // Hardly any purchases per customer and a long history: a one-time buyer's median wait runs to centuries.
    const pattern = { bgnbd: { r: 0.02, alpha: 50, a: 0.8, b: 2.4 }, gammaGamma: null };
    const figures = nextPurchase(pattern, buyer(1, 0, 400), Date.UTC(2026, 0, 1), 180);
    expect(figures?.expectedAt).toBeNull();
    const view = (nextPurchaseAt: number | null) =>
      nextPurchaseView(
        { stillActive: 0.9, purchase30d: 0.1, purchase90d: 0.2, expectedPurchases: 0.3, nextPurchaseAt },
        180,
        Date.UTC(2026, 0, 1),
      );
    expect(view(Number.POSITIVE_INFINITY)?.expectedDate).toBeNull();
    expect(view(9e15)?.expectedDate).toBeNull();
    expect(view(Date.UTC(2026, 0, 20))).toMatchObject({
      expectedDate: '2026-01-20T00:00:00.000Z',
      from: '2026-01-01T00:00:00.000Z',
    });
  });

  it('makes no pattern from a history that cannot show a buying rhythm (every repeat on the first day)', () => {
    const sameDay = Array.from({ length: 15 }, (_, i) => {
      const row = buyer(i < 5 ? 2 : 1, 0, i % 2 === 0 ? 0 : 30);
      return row;
    });
    expect(fitPattern(sameDay)).toBeNull();
  });
});
