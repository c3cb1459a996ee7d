/**
 * The journeys as the pages show them: the funnel with the shop's thresholds in words, moves between stages in the
 * last 30 and 90 days, conversion per month (of the customers in a stage during a month, how many moved on to a
 * later stage that month: worked out from the last 12 months' stage changes, with a customer who did not change
 * counted in their stage every month), a stage's customers, and one customer's journey with their touchpoints.
 */
import { AppError } from '../../../shared/contract/errors';
import {
  type CustomerJourneyView,
  JOURNEY_STAGES,
  type JourneyStage,
  type JourneySummary,
  type NextMilestone,
  type TransitionCause,
} from '../../../shared/contract/journeys';
import type { EngineContext } from '../context';
import {
  channelsOf,
  journeyDetail,
  movesSince,
  profileExists,
  stageCounts,
  stageCustomers,
  stageTotal,
  type TransitionTuple,
  touchpointsOf,
  transitionsOf,
  transitionsSince,
  unchangedSince,
} from '../db/repos/journey-views';
import { bestActionIfAny } from './next-best-action';
import { DAY } from './rules';
import { storedLines, thresholdsView } from './shop-state';

const RANK = new Map(JOURNEY_STAGES.map((s, i) => [s, i]));
const MONTHS = 12;
const TOUCHPOINTS = 50;
const TRANSITIONS = 100;

const iso = (ms: number) => new Date(ms).toISOString();
const parseJson = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/**
 * The customer's next best action as the pages show it, worked out at read time (next-best-action.ts: the same
 * ranking and guards as Customer 360's panel): what to do (`label`) and why (`reason`), with its kind and worth.
 * Null when no action may be taken now, or the customer was erased or joined into another since the page was read.
 */
function actionOf(ctx: EngineContext, profileId: number): Record<string, unknown> | null {
  const best = bestActionIfAny(ctx, profileId);
  if (!best) return null;
  const { kind, channel, label, reason, expectedValue, currency } = best;
  return { kind, channel, label, reason, expectedValue, currency };
}
const nameOf = (id: number, first: string | null, last: string | null) =>
  [first, last].filter(Boolean).join(' ').trim() || `Customer #${id}`;

/** Start of each of the last `MONTHS` calendar months (UTC), oldest first, and the end of the newest. */
function monthStarts(now: number): number[] {
  const d = new Date(now);
  const starts: number[] = [];
  for (let i = MONTHS - 1; i >= 0; i--) starts.push(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1));
  starts.push(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return starts;
}

function conversion(ctx: EngineContext, now: number): JourneySummary['conversion'] {
  const starts = monthStarts(now);
  const windowStart = starts[0] as number;
  const steps = JOURNEY_STAGES.slice(0, -1);
  const inStage = starts.slice(0, -1).map(() => new Map<string, number>());
  const movedOn = starts.slice(0, -1).map(() => new Map<string, number>());
  const add = (m: Map<string, number>, s: string) => m.set(s, (m.get(s) ?? 0) + 1);
  // Unchanged all window: in their stage every month.
  for (const [stage, n] of unchangedSince(ctx.db, ctx.brandId, windowStart))
    for (const month of inStage) month.set(stage, (month.get(stage) ?? 0) + n);
  const rows = transitionsSince(ctx.db, ctx.brandId, windowStart);
  let i = 0;
  while (i < rows.length) {
    const profile = (rows[i] as TransitionTuple)[0];
    let j = i;
    while (j < rows.length && (rows[j] as TransitionTuple)[0] === profile) j += 1;
    let stage: string | null = (rows[i] as TransitionTuple)[1];
    let k = i;
    for (let m = 0; m < MONTHS; m++) {
      const end = starts[m + 1] as number;
      const occupied = new Set<string>(stage ? [stage] : []);
      const moved = new Set<string>();
      while (k < j && (rows[k] as TransitionTuple)[3] < end) {
        const [, from, to] = rows[k] as TransitionTuple;
        if (from && (RANK.get(to as JourneyStage) ?? 0) > (RANK.get(from as JourneyStage) ?? 0)) moved.add(from);
        occupied.add(to);
        stage = to;
        k += 1;
      }
      for (const s of occupied) add(inStage[m] as Map<string, number>, s);
      for (const s of moved) add(movedOn[m] as Map<string, number>, s);
    }
    i = j;
  }
  const out: JourneySummary['conversion'] = [];
  for (let m = 0; m < MONTHS; m++) {
    const month = iso(starts[m] as number).slice(0, 7);
    for (const from of steps) {
      const n = inStage[m]?.get(from) ?? 0;
      const moved = movedOn[m]?.get(from) ?? 0;
      const to = JOURNEY_STAGES[(RANK.get(from) ?? 0) + 1] as JourneyStage;
      out.push({ month, from, to, inStage: n, movedOn: moved, rate: n === 0 ? null : moved / n });
    }
  }
  return out;
}

export function journeySummary(ctx: EngineContext): JourneySummary {
  const now = ctx.clock.now().getTime();
  const counts = new Map(stageCounts(ctx.db, ctx.brandId).map((r) => [r.stage, r]));
  const funnel = JOURNEY_STAGES.map((stage) => ({
    stage,
    customers: counts.get(stage)?.customers ?? 0,
    lapsed: counts.get(stage)?.lapsed ?? 0,
  }));
  const { computedAt } = storedLines(ctx);
  return {
    funnel,
    customers: funnel.reduce((sum, f) => sum + f.customers, 0),
    thresholds: thresholdsView(ctx),
    moves: movesSince(ctx.db, ctx.brandId, now - 30 * DAY, now - 90 * DAY).map((r) => ({
      from: r.from as JourneyStage | null,
      to: r.to as JourneyStage,
      last30: r.last30,
      last90: r.last90,
    })),
    conversion: conversion(ctx, now),
    computedAt: computedAt > 0 ? iso(computedAt) : null,
  };
}

export function customersInStage(ctx: EngineContext, stage: JourneyStage, limit: number, offset: number) {
  return {
    stage,
    total: stageTotal(ctx.db, ctx.brandId, stage),
    customers: stageCustomers(ctx.db, ctx.brandId, stage, limit, offset).map((r) => ({
      profileId: r.profileId,
      name: nameOf(r.profileId, r.firstName, r.lastName),
      score: r.score,
      lapsed: r.lapsed === 1,
      enteredStageAt: iso(r.enteredStageAt),
      nextMilestone: parseJson<NextMilestone>(r.nextMilestone),
      nextBestAction: actionOf(ctx, r.profileId),
    })),
  };
}

export function journeyForCustomer(ctx: EngineContext, profileId: number): CustomerJourneyView {
  if (!profileExists(ctx.db, ctx.brandId, profileId))
    throw new AppError('not_found', `There is no customer #${profileId}.`);
  const row = journeyDetail(ctx.db, profileId);
  return {
    profileId,
    stage: (row?.stage ?? null) as JourneyStage | null,
    stageWhy: row?.stageWhy ?? 'Not placed yet: their journey is worked out at the next recompute.',
    enteredStageAt: row ? iso(row.enteredStageAt) : null,
    lapsed: row?.lapsed === 1,
    score: {
      total: row?.score ?? 0,
      engagement: row?.engagementPart ?? 0,
      value: row?.valuePart ?? 0,
      channels: row?.channelsPart ?? 0,
      recency: row?.recencyPart ?? 0,
    },
    thresholds: thresholdsView(ctx),
    nextMilestone: parseJson<NextMilestone>(row?.nextMilestone ?? null),
    nextBestAction: actionOf(ctx, profileId),
    touchpoints: touchpointsOf(ctx.db, profileId, TOUCHPOINTS).map((t) => ({ ...t, at: iso(t.at) })),
    channels: channelsOf(ctx.db, profileId),
    transitions: transitionsOf(ctx.db, profileId, TRANSITIONS).map((t) => ({
      from: t.from as JourneyStage | null,
      to: t.to as JourneyStage,
      at: iso(t.at),
      why: t.why,
      cause: t.cause as TransitionCause,
    })),
  };
}
