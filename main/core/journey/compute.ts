/**
 * One customer's journey from their events, totals and scores: the facts the rules read, the row stored, and the
 * write of it — with the stage change, when there is one, recorded in the same transaction (so a change is kept
 * exactly once: a process killed before the commit leaves neither, the next update finds the same change once) and,
 * only when a live event caused it, published as `journey.stage_changed` in that transaction too.
 */
import type { JourneyStage, NextMilestone, TransitionCause } from '../../../shared/contract/journeys';
import { riskBandOf } from '../../../shared/risk-band';
import type { Database } from '../db/open';
import {
  type EventTuple,
  insertTransition,
  type JourneyRow,
  type ProfileTotals,
  type StoredJourney,
  signatureOf,
  upsertJourney,
} from '../db/repos/journey';
import { publish } from '../streams/streams';
import { type CustomerFacts, DAY, nextMilestone, type ShopLines, stageName, stageOf, typicalGap } from './rules';
import { type Distributions, journeyScore, type ScoreInputs } from './score';

/** What the customer did themselves (what we sent them, and bookkeeping, is not engagement). */
const INBOUND = new Set([
  'purchase',
  'cart_add',
  'checkout_started',
  'product_view',
  'search',
  'message_in',
  'visit',
  'loyalty_scan',
  'referral',
]);
const CONSIDERATION = new Set(['product_view', 'cart_add', 'search']);

export type Facts = CustomerFacts & ScoreInputs;

/** Facts from a customer's events (any order) and totals, as of `now`. */
export function factsOf(events: readonly EventTuple[], p: ProfileTotals, now: number): Facts {
  const purchases: number[] = [];
  const channels = new Set<string>();
  let considerations = 0;
  let interactions90 = 0;
  let referrals = 0;
  let lastSeenAt: number | null = null;
  const since = now - 90 * DAY;
  for (const [, type, source, at] of events) {
    if (!INBOUND.has(type)) continue;
    channels.add(source);
    if (type === 'purchase') purchases.push(at);
    else if (CONSIDERATION.has(type)) considerations += 1;
    else if (type === 'referral') referrals += 1;
    if (at >= since && at <= now) interactions90 += 1;
    if (at <= now && (lastSeenAt === null || at > lastSeenAt)) lastSeenAt = at;
  }
  return {
    purchases: p.orders,
    value: p.value,
    typicalGapDays: typicalGap(purchases),
    lastPurchaseAt: p.lastPurchaseAt || (purchases.length ? Math.max(...purchases) : null),
    considerations,
    interactions90,
    channels: channels.size,
    referrals,
    lastSeenAt,
    daysSinceSeen: lastSeenAt === null ? null : Math.max(0, Math.floor((now - lastSeenAt) / DAY)),
    churn: p.churn,
    predictedValue: p.predictedValue,
    nextPurchaseAt: p.nextPurchaseAt,
    hasRecommendations: p.hasRecommendations === 1,
  };
}

export interface ShopState {
  lines: ShopLines;
  distributions: Distributions;
  /** The active version's risk lines; undefined before the first retrain (nobody is lapsed then). */
  bands: { high: number; low: number } | undefined;
  formatMoney: (x: number) => string;
}

export interface Computed {
  stage: JourneyStage;
  why: string;
  row: Omit<JourneyRow, 'enteredStageAt' | 'updatedAt' | 'nextBestAction'>;
  milestone: NextMilestone;
}

export function computeJourney(brandId: number, profileId: number, f: Facts, shop: ShopState, now: number): Computed {
  const { stage, why } = stageOf(f, shop.lines);
  const lapsed = shop.bands !== undefined && riskBandOf(f.churn, shop.bands) === 'high';
  const score = journeyScore(f, shop.distributions);
  const milestone = nextMilestone(f, stage, shop.lines, { now, lapsed, formatMoney: shop.formatMoney });
  const stored = {
    purchases: f.purchases,
    value: Math.round(f.value * 100) / 100,
    typicalGapDays: f.typicalGapDays,
    considerations: f.considerations,
    interactions90: f.interactions90,
    channels: f.channels,
    referrals: f.referrals,
    lastSeenAt: f.lastSeenAt,
  };
  return {
    stage,
    why,
    milestone,
    row: {
      profileId,
      brandId,
      stage,
      score: score.total,
      lapsed,
      engagementPart: score.engagement,
      valuePart: score.value,
      channelsPart: score.channels,
      recencyPart: score.recency,
      facts: JSON.stringify(stored),
      stageWhy: why,
      nextMilestone: JSON.stringify(milestone),
    },
  };
}

export interface StageChange {
  transitionId: number;
  from: JourneyStage | null;
  to: JourneyStage;
}

/**
 * Writes the row when anything in it changed, and the stage change when there is one (with the stored action kept
 * unless `nextBestAction` is given). Call inside a transaction. Publishes `journey.stage_changed` for 'live' only.
 */
export function applyJourney(
  db: Database,
  c: Computed,
  existing: StoredJourney | undefined,
  options: {
    now: number;
    cause: TransitionCause;
    eventId: number | null;
    nextBestAction?: string | null;
  },
): StageChange | null {
  const changed = existing?.stage !== c.stage;
  const row: JourneyRow = {
    ...c.row,
    enteredStageAt: changed || !existing ? options.now : existing.enteredStageAt,
    updatedAt: options.now,
    nextBestAction: options.nextBestAction,
  };
  if (
    !changed &&
    existing &&
    signatureOf(row) === existing.signature &&
    (options.nextBestAction === undefined || options.nextBestAction === existing.action)
  )
    return null;
  upsertJourney(db, row);
  if (!changed) return null;
  const from = (existing?.stage ?? null) as JourneyStage | null;
  const why = from
    ? `${stageName(from)} to ${stageName(c.stage)}: ${c.why}`
    : `First stage, ${stageName(c.stage)}: ${c.why}`;
  const transitionId = insertTransition(db, {
    brandId: c.row.brandId,
    profileId: c.row.profileId,
    from,
    to: c.stage,
    at: options.now,
    why,
    cause: options.cause,
    eventId: options.eventId,
  });
  if (options.cause === 'live')
    publish(
      db,
      'journey.stage_changed',
      {
        profileId: c.row.profileId,
        from,
        to: c.stage,
        at: options.now,
        transitionId,
        eventId: options.eventId,
      },
      options.now,
    );
  return { transitionId, from, to: c.stage };
}
