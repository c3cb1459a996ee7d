/**
 * Where each customer is in their journey (stage, lapsed flag, journey score with its four parts, the next milestone
 * and the next best action), every stage change kept once (`customer_journey_transition`), and what the shop's own
 * history says "regular" and "frequent" mean (`journey_shop`: thresholds and the score's distributions, so a live
 * event's update places one customer in the shop without reading everyone; its cost is not yet measured).
 */
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { brand } from './brand';
import { customerProfile } from './identity';

export const customerJourney = sqliteTable(
  'customer_journey',
  {
    profileId: integer('profile_id')
      .primaryKey()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    stage: text('stage').notNull(),
    score: real('score').notNull().default(0),
    enteredStageAt: integer('entered_stage_at').notNull(),
    /** JSON array of milestones reached, with dates. */
    milestones: text('milestones').notNull().default('[]'),
    /** JSON: the next best action and why. */
    nextBestAction: text('next_best_action'),
    updatedAt: integer('updated_at').notNull(),
    /** Churn risk in the shop's High band (the active version's lines). */
    lapsed: integer('lapsed', { mode: 'boolean' }).notNull().default(false),
    /** The score's four parts, each the customer's percentile (0–100) in the shop. */
    engagementPart: real('engagement_part').notNull().default(0),
    valuePart: real('value_part').notNull().default(0),
    channelsPart: real('channels_part').notNull().default(0),
    recencyPart: real('recency_part').notNull().default(0),
    /** JSON: what the stage was decided from (purchases, typical gap, interactions, channels, referrals). */
    facts: text('facts').notNull().default('{}'),
    /** Why the customer is in this stage, in words. */
    stageWhy: text('stage_why').notNull().default(''),
    /** JSON: the next milestone (kind, words, date). */
    nextMilestone: text('next_milestone'),
  },
  (t) => [index('customer_journey_brand_stage_idx').on(t.brandId, t.stage)],
);

/** Every stage change, once: written in the transaction that changes the stage. */
export const customerJourneyTransition = sqliteTable(
  'customer_journey_transition',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    profileId: integer('profile_id')
      .notNull()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    /** Null: the customer's first stage. */
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    at: integer('at').notNull(),
    why: text('why').notNull(),
    /** 'live' (a live event: published as journey.stage_changed), 'recompute' or 'import' (never act on these). */
    cause: text('cause', { enum: ['live', 'recompute', 'import'] }).notNull(),
    /** The live event that caused it. */
    eventId: integer('event_id'),
  },
  (t) => [
    index('customer_journey_transition_profile_idx').on(t.profileId, t.at),
    index('customer_journey_transition_brand_at_idx').on(t.brandId, t.at),
  ],
);

/** The shop's journey thresholds and score distributions, from its last full recompute. */
export const journeyShop = sqliteTable('journey_shop', {
  brandId: integer('brand_id')
    .primaryKey()
    .references(() => brand.id),
  /** JSON: regular and frequent gaps, top-10% value lines, high engagement (see journey/thresholds.ts). */
  thresholds: text('thresholds').notNull(),
  /** JSON: each score part's sorted quantiles, to place one customer without reading the shop. */
  distributions: text('distributions').notNull(),
  customers: integer('customers').notNull().default(0),
  computedAt: integer('computed_at').notNull(),
  tookMs: integer('took_ms').notNull().default(0),
  /** Imported history arrived since the last recompute: its changes are marked 'import'. */
  importPending: integer('import_pending', { mode: 'boolean' }).notNull().default(false),
  /** New scores (a retrain) arrived: a recompute is due (kept here so a crash does not lose it). */
  recomputeDue: integer('recompute_due', { mode: 'boolean' }).notNull().default(false),
});
