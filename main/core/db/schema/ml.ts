/**
 * What the models learn from and what they produce: per-profile features as of
 * a cutoff, the registry of trained model versions, and the current
 * predictions for every profile.
 */
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { brand } from './brand';
import { customerProfile } from './identity';

export const features = sqliteTable(
  'features',
  {
    profileId: integer('profile_id')
      .primaryKey()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    asOf: integer('as_of').notNull(),
    recencyDays: real('recency_days'),
    frequency: integer('frequency').notNull().default(0),
    monetary: real('monetary').notNull().default(0),
    avgOrderValue: real('avg_order_value'),
    tenureDays: real('tenure_days'),
    /** JSON object of the remaining features (gaps, windows, category and channel shares, engagement). */
    vector: text('vector').notNull(),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [index('features_brand_idx').on(t.brandId)],
);

export const modelVersion = sqliteTable(
  'model_version',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    /** 'churn', 'ltv' or 'segments'. */
    kind: text('kind').notNull(),
    /** 'trees', 'bgnbd' or 'kmeans': which method produced it. */
    method: text('method').notNull(),
    /** JSON: holdout metrics. */
    metrics: text('metrics').notNull(),
    /** JSON: the trained model itself. */
    artifact: text('artifact').notNull(),
    trainingRows: integer('training_rows').notNull(),
    durationMs: integer('duration_ms').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('model_version_brand_kind_idx').on(t.brandId, t.kind, t.active)],
);

export const predictions = sqliteTable(
  'predictions',
  {
    profileId: integer('profile_id')
      .primaryKey()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    churnScore: real('churn_score'),
    ltvScore: real('ltv_score'),
    segment: text('segment'),
    /** JSON array of recommended products with a reason each. */
    recommendations: text('recommendations').notNull().default('[]'),
    /** BG/NBD, as of the version's date (buyers only): chance they are still a customer, of buying within 30 / 90 days. */
    stillActive: real('still_active'),
    purchase30d: real('purchase_30d'),
    purchase90d: real('purchase_90d'),
    /** Expected purchases over the value horizon. */
    expectedPurchases: real('expected_purchases'),
    /** The day by which a purchase is more likely than not (null: more likely gone for good). */
    nextPurchaseAt: integer('next_purchase_at'),
    /**
     * The churn score and segment before the last retrain wrote these (null before a customer's first score): a
     * crossing is a move from below a threshold to above it, so a first score (an imported history) is not one.
     */
    prevChurnScore: real('prev_churn_score'),
    prevSegment: text('prev_segment'),
    modelVersion: integer('model_version').references(() => modelVersion.id),
    predictedAt: integer('predicted_at').notNull(),
  },
  (t) => [
    // With the predicted value: the Dashboard's value at risk and whom to contact first read the high band from the
    // index alone (npm run bench -- dashboard: 42–78 ms → 5 ms, and 35–72 → 8 ms).
    index('predictions_brand_churn_idx').on(t.brandId, t.churnScore, t.ltvScore),
    index('predictions_brand_segment_idx').on(t.brandId, t.segment),
  ],
);
