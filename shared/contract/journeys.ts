/**
 * Journeys: where each customer is (awareness → consideration → purchase → retention → advocacy), a lapsed flag
 * beside the stage, the journey score with its four parts, the next milestone, every stage change, and what
 * "regular" and "frequent" mean for this shop (its own time between purchases), in words the Journeys page shows.
 */
import { z } from 'zod';
import { command } from './define';

const id = z.number().int().positive();
const count = z.number().int().nonnegative();

export const JOURNEY_STAGES = ['awareness', 'consideration', 'purchase', 'retention', 'advocacy'] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];
export const journeyStageSchema = z.enum(JOURNEY_STAGES);

/** What caused a stage change: only 'live' changes are published to automations. */
export const TRANSITION_CAUSES = ['live', 'recompute', 'import'] as const;
export type TransitionCause = (typeof TRANSITION_CAUSES)[number];

export const MILESTONE_KINDS = ['churn_risk', 'likely_purchase', 'upsell', 'next_stage', 'stay'] as const;

export const nextMilestoneSchema = z.object({
  kind: z.enum(MILESTONE_KINDS),
  /** In words: "Likely to buy within 7 days (around 12 Mar)", "One more purchase to Retention". */
  text: z.string(),
  /** The date it is expected by (a likely purchase), ISO; else null. */
  at: z.string().nullable(),
  /** The stage it leads to (next_stage), else null. */
  toStage: journeyStageSchema.nullable(),
  /** How many more purchases or interactions are needed (next_stage), else null. */
  needed: z.number().int().nullable(),
});
export type NextMilestone = z.output<typeof nextMilestoneSchema>;

/** The next best action (main/core/journey/next-best-action.ts); null until it is worked out. */
export const journeyActionSchema = z.looseObject({}).nullable();

export const journeyScoreSchema = z.object({
  /** 0–100: 40% engagement, 30% purchase value, 20% channel diversity, 10% recency. */
  total: z.number(),
  /** Each the customer's percentile (0–100) among the shop's customers. */
  engagement: z.number(),
  value: z.number(),
  channels: z.number(),
  recency: z.number(),
});
export type JourneyScore = z.output<typeof journeyScoreSchema>;

export const journeyThresholdsSchema = z.object({
  /** A customer whose typical time between purchases is at most this many days buys at a regular rhythm. */
  regularGapDays: z.number(),
  /** At most this many days between purchases: frequent (advocacy needs it). */
  frequentGapDays: z.number(),
  /** 'shop': from the shop's own repeat customers; 'default': too few of them yet, fixed defaults. */
  basis: z.enum(['shop', 'default']),
  repeatCustomers: count,
  /** The top 10% line of lifetime value (and of predicted value, once scored). */
  topValue: z.number(),
  topPredictedValue: z.number().nullable(),
  /** Interactions in the last 90 days for the top 10% (high engagement). */
  highEngagement: z.number(),
  /** Each stage's condition, in this shop's figures. */
  words: z.array(z.object({ stage: journeyStageSchema, text: z.string() })),
  computedAt: z.string().nullable(),
});
export type JourneyThresholds = z.output<typeof journeyThresholdsSchema>;

const stageCountsSchema = z.object(
  Object.fromEntries(JOURNEY_STAGES.map((s) => [s, count])) as Record<JourneyStage, typeof count>,
);

export const recomputeResultSchema = z.object({
  stages: stageCountsSchema,
  customers: count,
  lapsed: count,
  /** Stage changes this recompute recorded. */
  changed: count,
  tookMs: z.number(),
  summary: z.string(),
});
export type RecomputeResult = z.output<typeof recomputeResultSchema>;

export const transitionViewSchema = z.object({
  from: journeyStageSchema.nullable(),
  to: journeyStageSchema,
  at: z.string(),
  why: z.string(),
  cause: z.enum(TRANSITION_CAUSES),
});

export const journeySummarySchema = z.object({
  funnel: z.array(z.object({ stage: journeyStageSchema, customers: count, lapsed: count })),
  customers: count,
  thresholds: journeyThresholdsSchema,
  /** How many moved from each stage to each other (from null: a customer's first stage). */
  moves: z.array(
    z.object({ from: journeyStageSchema.nullable(), to: journeyStageSchema, last30: count, last90: count }),
  ),
  /**
   * Per month (last 12) and step: of the customers in `from` during the month, how many moved on to a later stage
   * that month (rate null when nobody was in `from`).
   */
  conversion: z.array(
    z.object({
      month: z.string(),
      from: journeyStageSchema,
      to: journeyStageSchema,
      inStage: count,
      movedOn: count,
      rate: z.number().nullable(),
    }),
  ),
  computedAt: z.string().nullable(),
});
export type JourneySummary = z.output<typeof journeySummarySchema>;

export const stageCustomerSchema = z.object({
  profileId: id,
  name: z.string(),
  score: z.number(),
  lapsed: z.boolean(),
  enteredStageAt: z.string(),
  nextMilestone: nextMilestoneSchema.nullable(),
  nextBestAction: journeyActionSchema,
});

export const touchpointSchema = z.object({
  eventId: id,
  at: z.string(),
  type: z.string(),
  /** Where it happened: shopify, pos, whatsapp, api… */
  channel: z.string(),
});

export const customerJourneySchema = z.object({
  profileId: id,
  /** Null: no journey yet (no event, or not recomputed since). */
  stage: journeyStageSchema.nullable(),
  stageWhy: z.string(),
  enteredStageAt: z.string().nullable(),
  lapsed: z.boolean(),
  score: journeyScoreSchema,
  thresholds: journeyThresholdsSchema,
  nextMilestone: nextMilestoneSchema.nullable(),
  nextBestAction: journeyActionSchema,
  /** Newest first, at most 50. */
  touchpoints: z.array(touchpointSchema),
  channels: z.array(z.object({ channel: z.string(), events: count })),
  /** Newest first. */
  transitions: z.array(transitionViewSchema),
});
export type CustomerJourneyView = z.output<typeof customerJourneySchema>;

export const journeysContract = {
  'journeys.recompute': command(
    'Recompute every customer’s stage, lapsed flag, score and next milestone now',
    z.object({}).strict(),
    recomputeResultSchema,
  ),
  'journeys.summary': command(
    'The funnel, this shop’s thresholds, moves between stages in the last 30 and 90 days, conversion per month',
    z.object({}).strict(),
    journeySummarySchema,
  ),
  'journeys.stageCustomers': command(
    'The customers in one stage, highest journey score first',
    z
      .object({
        stage: journeyStageSchema,
        limit: z.number().int().min(1).max(500).default(50),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    z.object({ stage: journeyStageSchema, total: count, customers: z.array(stageCustomerSchema) }),
  ),
  'journeys.forCustomer': command(
    'One customer’s journey: stage, score and its parts, next milestone, touchpoints and stage changes',
    z.object({ profileId: id }).strict(),
    customerJourneySchema,
  ),
} as const;
