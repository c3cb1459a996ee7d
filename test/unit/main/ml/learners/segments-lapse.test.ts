/**
 * The segments' lapsing rule (learners/segments/lapse.ts): a buyer silent for more than twice their usual gap and
 * longer than the shop's 75th-percentile gap, or in the shop's High risk band, is never Champions, Loyal, Promising or
 * (with repeat orders) New, but "At risk" (a good customer once) or "Lost"; and the model reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../../../main/core/ml/feature-names';
import { mulberry32 } from '../../../../../main/core/ml/learners/random';
import { lapsedName } from '../../../../../main/core/ml/learners/segments/lapse';
import type { LapseRule, SegmentModel } from '../../../../../main/core/ml/learners/segments/model';
import { segmentNames } from '../../../../../main/core/ml/learners/segments/naming';
import { assignSegment, fitSegments } from '../../../../../main/core/ml/learners/segments/segments';

const col = (name: (typeof FEATURE_NAMES)[number]) => FEATURE_NAMES.indexOf(name);
const FREQUENCY = col('frequency');

/** A buyer's feature row: `orders` orders every `gap` days, the last `recency` days ago, `spend` in all. */
function buyer(recency: number, orders: number, gap: number, spend: number): Float64Array {
  const f = new Float64Array(FEATURE_NAMES.length);
  f[col('recency_days')] = recency;
  f[col('frequency')] = orders;
  f[col('monetary')] = spend;
  f[col('avg_order_value')] = spend / orders;
  f[col('tenure_days')] = recency + (orders - 1) * gap;
  f[col('gap_mean_days')] = orders > 1 ? gap : Number.NaN;
  f[col('purchases_90d')] = Array.from({ length: orders }, (_, i) => recency + i * gap).filter((a) => a <= 90).length;
  f[col('days_since_last_activity')] = recency;
  return f;
}

const RULE: LapseRule = {
  p75GapDays: 30,
  highRisk: 0.8,
  medianSpend: 100,
  recencyColumn: col('recency_days'),
  monetaryColumn: col('monetary'),
  gapColumn: col('gap_mean_days'),
  moved: [],
};
const lapsed = (row: Float64Array, churn: number | null, cluster: string, rule: LapseRule = RULE) =>
  lapsedName(rule, FREQUENCY, row, churn, cluster);

describe('the lapsing rule', () => {
  it.each([
    // [what, row, churn, cluster, name]
    ['the weekly regular silent for 158 days', buyer(158, 50, 7, 1647), 0.2, 'Loyal', 'At risk'],
    [
      'a weekly regular silent for 20 days (over twice their gap, not the shop’s 30)',
      buyer(20, 12, 7, 300),
      0.2,
      'Champions',
      null,
    ],
    ['a monthly buyer silent for 50 days (under twice their gap)', buyer(50, 6, 30, 300), 0.2, 'Loyal', null],
    ['a monthly buyer silent for 70 days', buyer(70, 6, 30, 300), 0.2, 'Loyal', 'At risk'],
    ['a one-time buyer silent for 50 days (under twice the shop’s gap)', buyer(50, 1, 0, 20), 0.5, 'New', null],
    ['a one-time buyer silent for 70 days, who spent little', buyer(70, 1, 0, 20), 0.5, 'New', 'Lost'],
    ['a one-time buyer silent for 70 days, who spent well', buyer(70, 1, 0, 250), 0.5, 'Promising', 'At risk'],
    ['a recent regular at High risk', buyer(5, 10, 14, 400), 0.85, 'Champions', 'At risk'],
    ['a recent regular just under the High line', buyer(5, 10, 14, 400), 0.79, 'Champions', null],
    ['a recent one-time buyer at High risk, in "New"', buyer(5, 1, 0, 20), 0.9, 'New', null],
    ['a recent one-time buyer at High risk, elsewhere', buyer(5, 1, 0, 20), 0.9, 'Promising', 'Lost'],
    ['a recent two-order buyer at High risk, in "New"', buyer(5, 2, 3, 40), 0.9, 'New', 'At risk'],
    ['a lapsing buyer already "Lost" by cluster, with little spend', buyer(200, 1, 0, 10), 0.95, 'Lost', 'Lost'],
    ['a lapsing regular in "Hibernating"', buyer(200, 4, 20, 80), 0.5, 'Hibernating', 'At risk'],
    ['a buyer with no churn score, silent for a short while', buyer(10, 3, 10, 60), null, 'Champions', null],
  ] as const)('%s: %s', (_what, row, churn, cluster, name) => {
    expect(lapsed(row, churn, cluster)).toBe(name);
  });

  it('uses the High line alone when nobody in the shop had a gap, and the gaps alone without scores', () => {
    const noGaps = { ...RULE, p75GapDays: null };
    expect(lapsed(buyer(400, 1, 0, 20), 0.5, 'New', noGaps)).toBeNull();
    expect(lapsed(buyer(400, 1, 0, 20), 0.9, 'Lost', noGaps)).toBe('Lost');
    const noScores = { ...RULE, highRisk: null };
    expect(lapsed(buyer(5, 10, 14, 400), 0.99, 'Champions', noScores)).toBeNull();
    expect(lapsed(buyer(158, 50, 7, 1647), null, 'Loyal', noScores)).toBe('At risk');
  });
});

/** A shop: regulars, newcomers, long-gone one-timers and long-gone regulars, plus regulars who recently went quiet. */
function shop(seed: number) {
  const random = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const kinds = ['regular', 'newcomer', 'gone', 'goneRegular', 'quietRegular'] as const;
  const rows: Float64Array[] = [];
  const kind: (typeof kinds)[number][] = [];
  for (let i = 0; i < 500; i++) {
    const k = kinds[i % kinds.length] as (typeof kinds)[number];
    const orders = Math.round(between(8, 16));
    const gap = between(7, 14);
    if (k === 'regular') rows.push(buyer(between(1, 10), orders, gap, orders * between(40, 80)));
    if (k === 'newcomer') rows.push(buyer(between(1, 20), 1, 0, between(15, 40)));
    if (k === 'gone') rows.push(buyer(between(200, 400), 1, 0, between(15, 40)));
    if (k === 'goneRegular') rows.push(buyer(between(200, 400), orders, gap, orders * between(40, 80)));
    // Weekly-ish regulars silent for 6–10 weeks: near the regulars in recency, frequency and spend, yet lapsing.
    if (k === 'quietRegular') rows.push(buyer(between(45, 70), orders, gap, orders * between(40, 80)));
    kind.push(k);
  }
  // The model's churn risk: high for the long gone, and for some regulars it sees stopping (every tenth one).
  const churn = rows.map((_, i) => {
    const k = kind[i];
    if (k === 'gone' || k === 'goneRegular') return 0.97;
    if (k === 'regular') return i % 50 === 0 ? 0.95 : 0.1;
    return k === 'newcomer' ? 0.6 : 0.5;
  });
  return { rows, kind, churn };
}

describe('fitSegments with the lapsing rule', () => {
  const { rows, kind, churn } = shop(5);
  const fit = fitSegments({ rows, names: FEATURE_NAMES, churn }, { seed: 3, highRisk: 0.9 });
  const p75 = fit.model.lapse?.p75GapDays as number;

  it('keeps nobody at High risk or far past their usual gap in Champions, Loyal or Promising', () => {
    expect(p75).toBeGreaterThan(7);
    expect(p75).toBeLessThan(14);
    rows.forEach((row, i) => {
      const gap = row[col('gap_mean_days')] as number;
      const recency = row[col('recency_days')] as number;
      const overdue = recency > 2 * (gap > 0 ? gap : p75) && recency > p75;
      const high = (churn[i] as number) >= 0.9;
      const name = fit.assignments[i] as string;
      if (overdue || high) expect(['At risk', 'Lost', 'New']).toContain(name);
      if (name === 'New') expect(overdue || (high && row[FREQUENCY] !== 1)).toBe(false);
    });
    // The regulars who went quiet and the regulars the model sees stopping are all "At risk".
    const named = (k: string) => new Set(fit.assignments.filter((_, i) => kind[i] === k));
    expect(named('quietRegular')).toEqual(new Set(['At risk']));
    expect(named('goneRegular')).toEqual(new Set(['At risk']));
    expect(named('gone')).toEqual(new Set(['Lost']));
    expect(fit.assignments.filter((_, i) => kind[i] === 'regular' && i % 50 === 0)).toEqual(Array(10).fill('At risk'));
  });

  it('counts the final names in the model: clusters who kept theirs, the rule who it named apart', () => {
    const counts = new Map<string, number>();
    for (const name of fit.assignments) counts.set(name, (counts.get(name) ?? 0) + 1);
    const tallied = new Map<string, number>();
    for (const s of [...fit.model.segments, ...(fit.model.lapse?.moved ?? [])])
      tallied.set(s.name, (tallied.get(s.name) ?? 0) + s.size);
    expect(new Map([...tallied].filter(([, n]) => n > 0))).toEqual(counts);
    // Means follow the members: everyone the rule named "At risk" from elsewhere is at High risk or overdue.
    const movedAtRisk = fit.model.lapse?.moved.find((m) => m.name === 'At risk');
    expect(movedAtRisk?.size).toBeGreaterThan(0);
    expect(movedAtRisk?.averageChurn).toBeGreaterThan(0.4);
    // "At risk" and "Lost" are listed whether or not a cluster carries the name.
    const listed = segmentNames(fit.model).map((s) => s.name);
    expect(listed).toContain('At risk');
    expect(listed).toContain('Lost');
    expect(listed.indexOf('At risk')).toBeLessThan(listed.indexOf('Lost'));
  });

  it('gives the same names from the stored model (a rollback), given each customer’s churn risk', () => {
    const restored = JSON.parse(JSON.stringify(fit.model)) as SegmentModel;
    expect(rows.map((row, i) => assignSegment(restored, row, churn[i] ?? null))).toEqual(fit.assignments);
  });

  it('assigns by cluster alone with a model stored before the rule', () => {
    const old = JSON.parse(JSON.stringify(fit.model)) as SegmentModel;
    delete old.lapse;
    const clustered = rows.map((row, i) => assignSegment(old, row, churn[i] ?? null));
    const clusterNames = new Set(old.segments.map((s) => s.name));
    for (const name of clustered) expect(clusterNames).toContain(name);
    // Without the rule, the regulars who went quiet would pass for good current customers.
    const quiet = new Set(clustered.filter((_, i) => kind[i] === 'quietRegular'));
    expect([...quiet].some((name) => ['Champions', 'Loyal', 'Promising'].includes(name))).toBe(true);
    expect(segmentNames(old).map((s) => s.name)).toEqual([
      ...new Set(old.segments.map((s) => s.name)),
      'Not bought yet',
    ]);
  });

  it('refuses a High line that is not a chance', () => {
    expect(() => fitSegments({ rows, names: FEATURE_NAMES, churn }, { seed: 3, highRisk: 1.5 })).toThrow(
      /High risk line/,
    );
  });
});
