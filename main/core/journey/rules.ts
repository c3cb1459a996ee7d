/**
 * The journey's rules, pure (clock and figures passed in, so they are tested from tables of cases):
 * - the shop's thresholds: "regular" is a typical time between purchases no longer than the 75th percentile of the
 *   shop's repeat customers' typical gaps, "frequent" no longer than their median — so a bakery's regular buys every
 *   week and a furniture shop's every year or two; with fewer than 20 repeat customers, fixed defaults (60 and 30
 *   days) stand in and say so; the top 10% lines of lifetime and predicted value; high engagement (top 10% of
 *   interactions in 90 days);
 * - the stage: awareness (browsing only), consideration (more than 3 product views, cart adds or searches, no
 *   purchase), purchase (1–2 purchases, or more not yet at a regular rhythm), retention (3+ purchases at a regular
 *   rhythm), advocacy (retention, frequent, in the top 10% of lifetime or predicted value, with a referral or high
 *   engagement). Stages describe the relationship reached; a customer who stopped coming keeps it and is flagged
 *   lapsed (churn risk in the shop's High band) instead, so the daily recompute does not move them down and back.
 * - the next milestone, most pressing first: at risk of churn, likely to buy within 7 days (the prediction's next
 *   purchase date, else their own rhythm), ready for an upsell (regular, recommendations, value above the median),
 *   else the next stage's condition ("One more purchase to Retention").
 */
import type { JourneyStage, JourneyThresholds, NextMilestone } from '../../../shared/contract/journeys';

export const DAY = 86_400_000;
export const MIN_REPEAT_CUSTOMERS = 20;
export const DEFAULT_GAPS = { regular: 60, frequent: 30 } as const;
/** More than this many product views, cart adds or searches: consideration. */
export const CONSIDERATION_SIGNALS = 3;
export const RETENTION_PURCHASES = 3;

/** What a customer's stage is decided from (read from their events, profile and prediction). */
export interface CustomerFacts {
  purchases: number;
  value: number;
  /** Median days between purchase days; null with fewer than two. */
  typicalGapDays: number | null;
  lastPurchaseAt: number | null;
  /** Product views, cart adds and searches, ever. */
  considerations: number;
  interactions90: number;
  channels: number;
  referrals: number;
  lastSeenAt: number | null;
  churn: number | null;
  predictedValue: number | null;
  nextPurchaseAt: number | null;
  hasRecommendations: boolean;
}

/** The numbers behind the thresholds (stored; the words are made from them). */
export interface ShopLines {
  regularGapDays: number;
  frequentGapDays: number;
  basis: 'shop' | 'default';
  repeatCustomers: number;
  topValue: number;
  topPredictedValue: number | null;
  medianValue: number;
  highEngagement: number;
}

const ascending = (xs: number[]) => xs.sort((a, b) => a - b);

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Median of a list of numbers (unsorted is fine); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = ascending([...xs]);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Typical gap in days from purchase times: purchases on the same day count once. */
export function typicalGap(purchaseTimes: readonly number[]): number | null {
  const days = [...new Set(purchaseTimes.map((t) => Math.floor(t / DAY)))].sort((a, b) => a - b);
  if (days.length < 2) return null;
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) gaps.push((days[i] as number) - (days[i - 1] as number));
  return median(gaps);
}

export function shopLines(all: readonly CustomerFacts[]): ShopLines {
  const gaps = ascending(all.flatMap((c) => (c.typicalGapDays === null ? [] : [c.typicalGapDays])));
  const buyers = ascending(all.filter((c) => c.purchases > 0).map((c) => c.value));
  const predicted = ascending(all.flatMap((c) => (c.predictedValue === null ? [] : [c.predictedValue])));
  const engagement = ascending(all.map((c) => c.interactions90));
  const fromShop = gaps.length >= MIN_REPEAT_CUSTOMERS;
  const regular = fromShop ? Math.max(1, Math.ceil(nearestRank(gaps, 0.75))) : DEFAULT_GAPS.regular;
  const frequent = fromShop ? Math.max(1, Math.ceil(nearestRank(gaps, 0.5))) : DEFAULT_GAPS.frequent;
  return {
    regularGapDays: regular,
    frequentGapDays: Math.min(frequent, regular),
    basis: fromShop ? 'shop' : 'default',
    repeatCustomers: gaps.length,
    topValue: buyers.length ? nearestRank(buyers, 0.9) : 0,
    topPredictedValue: predicted.length ? nearestRank(predicted, 0.9) : null,
    medianValue: buyers.length ? nearestRank(buyers, 0.5) : 0,
    highEngagement: Math.max(1, engagement.length ? nearestRank(engagement, 0.9) : 1),
  };
}

const STAGE_NAMES: Record<JourneyStage, string> = {
  awareness: 'Awareness',
  consideration: 'Consideration',
  purchase: 'Purchase',
  retention: 'Retention',
  advocacy: 'Advocacy',
};
export const stageName = (s: JourneyStage) => STAGE_NAMES[s];

// Made once: `toLocaleString` / `toLocaleDateString` with options build a new formatter on every call, which a full
// recompute's 100k milestones and reasons paid for (1.7 s of 10.5 s profiled in two recomputes at 100k profiles / 1M events).
const NUMBER = new Intl.NumberFormat('en');
const SHORT_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const plural = (n: number, one: string, many = `${one}s`) => `${NUMBER.format(n)} ${n === 1 ? one : many}`;
const every = (days: number) => (days === 1 ? 'every day' : `every ${plural(days, 'day')}`);
const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four'];
const more = (n: number, what: string) => `${NUMBER_WORDS[n] ?? NUMBER.format(n)} more ${n === 1 ? what : `${what}s`}`;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Top 10% means something only once the shop has its own lines (20 repeat customers): before, nobody is. */
function isTopValue(f: CustomerFacts, lines: ShopLines): boolean {
  if (lines.basis !== 'shop') return false;
  return (
    (f.purchases > 0 && f.value >= lines.topValue) ||
    (f.predictedValue !== null && lines.topPredictedValue !== null && f.predictedValue >= lines.topPredictedValue)
  );
}

const isRegular = (f: CustomerFacts, lines: ShopLines) =>
  f.purchases >= RETENTION_PURCHASES && f.typicalGapDays !== null && f.typicalGapDays <= lines.regularGapDays;
const isFrequent = (f: CustomerFacts, lines: ShopLines) =>
  f.typicalGapDays !== null && f.typicalGapDays <= lines.frequentGapDays;
const isEngaged = (f: CustomerFacts, lines: ShopLines) =>
  f.referrals > 0 || (f.interactions90 > 0 && f.interactions90 >= lines.highEngagement);

export interface StageDecision {
  stage: JourneyStage;
  why: string;
}

export function stageOf(f: CustomerFacts, lines: ShopLines): StageDecision {
  if (isRegular(f, lines)) {
    const rhythm = `${plural(f.purchases, 'purchase')}, about ${every(Math.round(f.typicalGapDays as number))}`;
    if (isTopValue(f, lines) && isFrequent(f, lines) && isEngaged(f, lines))
      return {
        stage: 'advocacy',
        why: `${rhythm}; among your top 10% by value; ${f.referrals > 0 ? plural(f.referrals, 'referral') : 'highly engaged'}`,
      };
    return { stage: 'retention', why: `${rhythm} (regular here: ${every(lines.regularGapDays)} or more often)` };
  }
  if (f.purchases > 0)
    return {
      stage: 'purchase',
      why:
        f.purchases < RETENTION_PURCHASES
          ? plural(f.purchases, 'purchase')
          : `${plural(f.purchases, 'purchase')}, not yet at a regular rhythm (about ${every(Math.round(f.typicalGapDays ?? 0))})`,
    };
  if (f.considerations > CONSIDERATION_SIGNALS)
    return {
      stage: 'consideration',
      why: `${plural(f.considerations, 'product view, cart add or search', 'product views, cart adds or searches')}, no purchase yet`,
    };
  return {
    stage: 'awareness',
    why:
      f.considerations > 0
        ? `Browsing: ${plural(f.considerations, 'view, cart add or search', 'views, cart adds or searches')}`
        : 'First touch, no browsing or purchase yet',
  };
}

const shortDate = (ms: number) => SHORT_DATE.format(ms);

export interface MilestoneOptions {
  now: number;
  lapsed: boolean;
  formatMoney: (x: number) => string;
}

function nextStage(
  f: CustomerFacts,
  stage: JourneyStage,
  lines: ShopLines,
  money: (x: number) => string,
): NextMilestone {
  const step = (text: string, toStage: JourneyStage | null, needed: number | null): NextMilestone => ({
    kind: toStage ? 'next_stage' : 'stay',
    text,
    at: null,
    toStage,
    needed,
  });
  switch (stage) {
    case 'awareness': {
      const n = CONSIDERATION_SIGNALS + 1 - f.considerations;
      const what = n === 1 ? 'product view, cart add or search' : 'product views, cart adds or searches';
      return step(
        `${capital(NUMBER_WORDS[n] ?? String(n))} more ${what} to Consideration, or a first purchase to Purchase`,
        'consideration',
        n,
      );
    }
    case 'consideration':
      return step('A first purchase to Purchase', 'purchase', 1);
    case 'purchase': {
      if (f.purchases < RETENTION_PURCHASES) {
        const n = RETENTION_PURCHASES - f.purchases;
        return step(
          `${capital(more(n, 'purchase'))} to Retention, ${every(lines.regularGapDays)} or more often`,
          'retention',
          n,
        );
      }
      return step(
        `Buying ${every(lines.regularGapDays)} or more often to Retention (now about ${every(Math.round(f.typicalGapDays ?? 0))})`,
        'retention',
        null,
      );
    }
    case 'retention': {
      if (lines.basis !== 'shop')
        return step(
          `Advocacy (your top 10%) is worked out once ${MIN_REPEAT_CUSTOMERS} customers have bought more than once`,
          'advocacy',
          null,
        );
      const missing: string[] = [];
      if (!isTopValue(f, lines)) missing.push(`spending ${money(lines.topValue)} or more (your top 10%)`);
      if (!isFrequent(f, lines)) missing.push(`buying ${every(lines.frequentGapDays)} or more often`);
      if (!isEngaged(f, lines)) missing.push(`a referral or ${plural(lines.highEngagement, 'interaction')} in 90 days`);
      return step(`To Advocacy: ${missing.join(', and ')}`, 'advocacy', null);
    }
    case 'advocacy':
      return step(`A top customer: keep them buying ${every(lines.frequentGapDays)} or so`, null, null);
  }
}

/** When they are expected to buy next: the prediction's date, else their last purchase plus their typical gap. */
function expectedPurchase(f: CustomerFacts): number | null {
  if (f.nextPurchaseAt !== null) return f.nextPurchaseAt;
  if (f.lastPurchaseAt !== null && f.typicalGapDays !== null) return f.lastPurchaseAt + f.typicalGapDays * DAY;
  return null;
}

export function nextMilestone(
  f: CustomerFacts,
  stage: JourneyStage,
  lines: ShopLines,
  options: MilestoneOptions,
): NextMilestone {
  if (options.lapsed)
    return {
      kind: 'churn_risk',
      text: `At risk of not coming back: churn risk ${Math.round((f.churn ?? 0) * 100)}% (High)`,
      at: null,
      toStage: null,
      needed: null,
    };
  const expected = expectedPurchase(f);
  if (expected !== null && expected >= options.now - DAY && expected <= options.now + 7 * DAY)
    return {
      kind: 'likely_purchase',
      text: `Likely to buy within 7 days (around ${shortDate(expected)})`,
      at: new Date(expected).toISOString(),
      toStage: null,
      needed: null,
    };
  if ((stage === 'retention' || stage === 'advocacy') && f.hasRecommendations && f.value >= lines.medianValue)
    return {
      kind: 'upsell',
      text: 'Ready for an upsell: buys regularly, spends above your median and has products recommended',
      at: null,
      toStage: null,
      needed: null,
    };
  return nextStage(f, stage, lines, options.formatMoney);
}

/** Each stage's condition in this shop's figures, for the Journeys page. */
export function thresholdWords(lines: ShopLines, money: (x: number) => string): JourneyThresholds['words'] {
  const basis =
    lines.basis === 'shop'
      ? `from your ${plural(lines.repeatCustomers, 'repeat customer')}`
      : `a default until more customers buy again (${plural(lines.repeatCustomers, 'repeat customer')} so far)`;
  return [
    { stage: 'awareness', text: 'First touch: seen, browsing at most a little, no purchase yet.' },
    {
      stage: 'consideration',
      text: `More than ${CONSIDERATION_SIGNALS} product views, cart adds or searches, no purchase yet.`,
    },
    { stage: 'purchase', text: '1 or 2 purchases, or more not yet at a regular rhythm.' },
    {
      stage: 'retention',
      text: `${RETENTION_PURCHASES} or more purchases, usually ${every(lines.regularGapDays)} or more often (regular for your shop: ${basis}).`,
    },
    {
      stage: 'advocacy',
      text:
        lines.basis === 'shop'
          ? `Regular, buying ${every(lines.frequentGapDays)} or more often, spending ${money(lines.topValue)} or more${lines.topPredictedValue !== null ? ` (or predicted to spend ${money(lines.topPredictedValue)})` : ''} — your top 10% — with a referral or ${plural(lines.highEngagement, 'interaction')} in 90 days.`
          : `Your top 10% by value, buying often, with a referral or high engagement: worked out once ${MIN_REPEAT_CUSTOMERS} customers have bought more than once.`,
    },
  ];
}
