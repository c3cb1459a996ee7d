/** Where each customer is in their journey, and the next best action for them. */
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
  },
  (t) => [index('customer_journey_brand_stage_idx').on(t.brandId, t.stage)],
);
