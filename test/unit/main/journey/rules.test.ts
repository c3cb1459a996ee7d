/** The journey's rules from tables of cases: stages, the shop's thresholds, the score and the next milestone. */
import { describe, expect, it } from 'vitest';
import {
  type CustomerFacts,
  DAY,
  DEFAULT_GAPS,
  nextMilestone,
  type ShopLines,
  shopLines,
  stageOf,
  typicalGap,
} from '../../../../main/core/journey/rules';
import { journeyScore, percentileOf, quantilesOf } from '../../../../main/core/journey/score';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const money = (x: number) => `£${x}`;

const base: CustomerFacts = {
  purchases: 0,
  value: 0,
  typicalGapDays: null,
  lastPurchaseAt: null,
  considerations: 0,
  interactions90: 0,
  channels: 1,
  referrals: 0,
  lastSeenAt: NOW - DAY,
  churn: null,
  predictedValue: null,
  nextPurchaseAt: null,
  hasRecommendations: false,
};
const lines: ShopLines = {
  regularGapDays: 10,
  frequentGapDays: 7,
  basis: 'shop',
  repeatCustomers: 100,
  topValue: 500,
  topPredictedValue: 800,
  medianValue: 100,
  highEngagement: 12,
};
const f = (over: Partial<CustomerFacts>): CustomerFacts => ({ ...base, ...over });

describe('stages', () => {
  it.each([
    ['first touch', f({}), 'awareness'],
    ['3 views: still browsing', f({ considerations: 3 }), 'awareness'],
    ['4 views, cart adds or searches', f({ considerations: 4 }), 'consideration'],
    ['one purchase (after browsing)', f({ considerations: 9, purchases: 1, value: 40 }), 'purchase'],
    ['two purchases', f({ purchases: 2, value: 80, typicalGapDays: 5 }), 'purchase'],
    ['three, not regular (gap 30 > 10)', f({ purchases: 3, value: 90, typicalGapDays: 30 }), 'purchase'],
    ['three, regular (gap 10)', f({ purchases: 3, value: 90, typicalGapDays: 10 }), 'retention'],
    [
      'top value, frequent, but no referral or engagement',
      f({ purchases: 9, value: 600, typicalGapDays: 5 }),
      'retention',
    ],
    ['top value, not frequent', f({ purchases: 9, value: 600, typicalGapDays: 9, referrals: 1 }), 'retention'],
    ['top value, frequent, a referral', f({ purchases: 9, value: 600, typicalGapDays: 5, referrals: 1 }), 'advocacy'],
    [
      'top predicted value, frequent, engaged',
      f({ purchases: 4, value: 90, predictedValue: 900, typicalGapDays: 7, interactions90: 12 }),
      'advocacy',
    ],
  ] as const)('%s → %s', (_name, facts, stage) => {
    expect(stageOf(facts, lines).stage).toBe(stage);
  });
});

describe("the shop's thresholds", () => {
  const shop = (gapDays: number, n = 40) =>
    Array.from({ length: n }, (_, i) =>
      f({ purchases: 4, value: 50 + i, typicalGapDays: gapDays + (i % 5) - 2, interactions90: i % 10 }),
    );

  it('a shop of weekly buyers and one of yearly buyers mean different things by regular and frequent', () => {
    const weekly = shopLines(shop(7));
    const yearly = shopLines(shop(365));
    expect(weekly).toMatchObject({ basis: 'shop', regularGapDays: 8, frequentGapDays: 7, repeatCustomers: 40 });
    expect(yearly).toMatchObject({ basis: 'shop', regularGapDays: 366, frequentGapDays: 365 });
    // A customer buying every 60 days: lapsed rhythm at the bakery, a regular at the furniture shop.
    const everyTwoMonths = f({ purchases: 5, value: 60, typicalGapDays: 60 });
    expect(stageOf(everyTwoMonths, weekly).stage).toBe('purchase');
    expect(stageOf(everyTwoMonths, yearly).stage).toBe('retention');
  });

  it('fewer than 20 repeat customers: the defaults, said as such, and nobody is an advocate yet', () => {
    const few = shopLines(shop(7, 19));
    const star = f({ purchases: 9, value: 9_999, typicalGapDays: 3, referrals: 2 });
    expect(stageOf(star, few).stage).toBe('retention');
    expect(stageOf(star, { ...few, basis: 'shop' }).stage).toBe('advocacy');
    expect(few).toMatchObject({
      basis: 'default',
      regularGapDays: DEFAULT_GAPS.regular,
      frequentGapDays: DEFAULT_GAPS.frequent,
    });
  });

  it('the top 10% lines of value and engagement', () => {
    const all = Array.from({ length: 100 }, (_, i) => f({ purchases: 1, value: i + 1, interactions90: i }));
    expect(shopLines(all)).toMatchObject({
      topValue: 90,
      medianValue: 50,
      highEngagement: 89,
      topPredictedValue: null,
    });
  });

  it('typical gap: the median of days between purchase days, same-day purchases once', () => {
    const at = (d: number) => NOW + d * DAY;
    expect(typicalGap([at(0)])).toBeNull();
    expect(typicalGap([at(0), at(0) + 3_600_000])).toBeNull();
    expect(typicalGap([at(0), at(7), at(14), at(40)])).toBe(7);
    expect(typicalGap([at(10), at(0), at(4)])).toBe(5);
  });
});

describe('the journey score', () => {
  it('is 40/30/20/10 of the four percentiles, with ties at mid-rank', () => {
    expect(percentileOf([], 3)).toBe(50);
    expect(percentileOf([1, 1, 1, 1], 1)).toBe(50);
    expect(percentileOf([1, 2, 3, 4], 4)).toBe(87.5);
    expect(percentileOf([1, 2, 3, 4], 0)).toBe(0);
    const d = { engagement: [0, 10], value: [0, 100], channels: [1, 3], recency: [-30, 0] };
    const top = journeyScore({ interactions90: 10, value: 100, channels: 3, daysSinceSeen: 0 }, d);
    expect(top).toEqual({ total: 75, engagement: 75, value: 75, channels: 75, recency: 75 });
    const mixed = journeyScore({ interactions90: 20, value: 0, channels: 1, daysSinceSeen: null }, d);
    expect(mixed).toEqual({ engagement: 100, value: 25, channels: 25, recency: 0, total: 52.5 });
  });

  it('stored quantiles rank within 0.1 percentile of the full ranking', () => {
    const values = Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 10_007).sort((a, b) => a - b);
    const q = quantilesOf(values);
    expect(q).toHaveLength(1001);
    for (const x of [0, 17, 5003, 9999, 10_006])
      expect(Math.abs(percentileOf(q, x) - percentileOf(values, x))).toBeLessThan(0.1);
  });
});

describe('the next milestone', () => {
  const at = (over: Partial<CustomerFacts>, stage: Parameters<typeof nextMilestone>[1], lapsed = false) =>
    nextMilestone(f(over), stage, lines, { now: NOW, lapsed, formatMoney: money });

  it.each([
    [
      'lapsed first',
      at({ purchases: 3, churn: 0.81, nextPurchaseAt: NOW + DAY }, 'retention', true),
      'churn_risk',
      'At risk of not coming back: churn risk 81% (High)',
    ],
    [
      'predicted within 7 days',
      at({ purchases: 2, nextPurchaseAt: NOW + 3 * DAY }, 'purchase'),
      'likely_purchase',
      'Likely to buy within 7 days (around 4 Mar)',
    ],
    [
      'predicted in 8 days: not yet',
      at({ purchases: 1, nextPurchaseAt: NOW + 8 * DAY }, 'purchase'),
      'next_stage',
      'Two more purchases to Retention, every 10 days or more often',
    ],
    [
      'own rhythm without a prediction',
      at({ purchases: 2, typicalGapDays: 10, lastPurchaseAt: NOW - 5 * DAY }, 'purchase'),
      'likely_purchase',
      'Likely to buy within 7 days (around 6 Mar)',
    ],
    [
      'upsell',
      at(
        { purchases: 5, typicalGapDays: 9, value: 150, hasRecommendations: true, lastPurchaseAt: NOW - DAY },
        'retention',
      ),
      'upsell',
      'Ready for an upsell: buys regularly, spends above your median and has products recommended',
    ],
    [
      'awareness',
      at({ considerations: 1 }, 'awareness'),
      'next_stage',
      'Three more product views, cart adds or searches to Consideration, or a first purchase to Purchase',
    ],
    ['consideration', at({ considerations: 5 }, 'consideration'), 'next_stage', 'A first purchase to Purchase'],
    [
      'one more purchase',
      at({ purchases: 2, value: 50 }, 'purchase'),
      'next_stage',
      'One more purchase to Retention, every 10 days or more often',
    ],
    [
      'retention to advocacy',
      at({ purchases: 4, value: 100, typicalGapDays: 9, lastPurchaseAt: NOW - 30 * DAY }, 'retention'),
      'next_stage',
      'To Advocacy: spending £500 or more (your top 10%), and buying every 7 days or more often, and a referral or 12 interactions in 90 days',
    ],
  ] as const)('%s', (_name, milestone, kind, text) => {
    expect(milestone.kind).toBe(kind);
    expect(milestone.text).toBe(text);
  });
});
