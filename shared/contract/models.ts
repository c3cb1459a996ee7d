/**
 * Models: Retrain (churn risk and predicted value learned from the shop's own
 * history, in a worker, with progress by stage and Cancel), the versions with
 * their metrics and rollback, what the active version says overall (score
 * distributions, feature importance) and per customer.
 */
import { z } from 'zod';
import { RISK_LEVELS, riskBandsSchema } from './customers';
import { command } from './define';

export const RETRAIN_STAGES = [
  'checking',
  'features',
  'churn',
  'value',
  'predictions',
  'segments',
  'recommendations',
  'saving',
] as const;

/**
 * Which method produced a version's predictions: `trees` (learned from the shop's history) or `bgnbd` (small-shop
 * mode: below the learned models' minimum data, the BG/NBD purchase-pattern model with Gamma-Gamma spend).
 */
export const PREDICTION_METHODS = ['trees', 'bgnbd'] as const;
export type PredictionMethod = (typeof PREDICTION_METHODS)[number];

/** Measures on customers the models never saw; null when they could not be worked out (small-shop mode). */
export const modelMetricsSchema = z.object({
  churn: z
    .object({
      auc: z.number(),
      brier: z.number(),
      precisionTop10: z.number(),
      recencyAuc: z.number(),
      churnRate: z.number(),
      testCustomers: z.number().int(),
      /** AUC on the customers the model was tuned on; far above `auc` (or near 1) is an alarm. */
      tuningAuc: z.number().optional(),
    })
    .nullable(),
  ltv: z
    .object({
      mae: z.number(),
      baselineMae: z.number(),
      ratioToBaseline: z.number(),
      testCustomers: z.number().int(),
    })
    .nullable(),
  /** Signs a figure is too good to be true or cannot be trusted, in shop words; shown on the Models page. */
  alarms: z
    .array(
      z.object({
        kind: z.enum(['tuning_auc', 'no_early_stop', 'two_level_calibration', 'duplicate_histories', 'backtest']),
        message: z.string(),
      }),
    )
    .optional(),
  /**
   * The retrain re-run one churn horizon earlier and checked against what customers then did: absent while it runs
   * (or for versions from before it existed), null when the history is too short.
   */
  backtest: z
    .object({ asOf: z.number(), auc: z.number(), churnRate: z.number(), customers: z.number().int() })
    .nullable()
    .optional(),
});
export type ModelMetrics = z.output<typeof modelMetricsSchema>;

export const modelVersionSchema = z.object({
  id: z.number().int(),
  method: z.enum(PREDICTION_METHODS),
  metrics: modelMetricsSchema,
  trainingRows: z.number().int(),
  durationMs: z.number().int(),
  active: z.boolean(),
  createdAt: z.string(),
  /** The date the predictions were made as of (the day after the last sale for an old history). */
  asOf: z.string(),
  horizons: z.object({ churnDays: z.number().int(), ltvDays: z.number().int() }),
});
export type ModelVersionView = z.output<typeof modelVersionSchema>;

export const retrainJobSchema = z.object({
  id: z.number().int(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  stage: z.enum(RETRAIN_STAGES),
  /** Stages finished out of all of them, 0–1. */
  progress: z.number(),
  /** Why it failed, in shop words (e.g. not enough history yet, and what is missing). */
  error: z.string().nullable(),
  versionId: z.number().int().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RetrainJobView = z.output<typeof retrainJobSchema>;

export const segmentSchema = z.object({
  name: z.string(),
  description: z.string(),
  customers: z.number().int(),
  /** Share of all customers, 0–1. */
  share: z.number(),
  /** Mean predicted value of its customers (null when none has one). */
  averageValue: z.number().nullable(),
  /** Mean net spend so far of its customers. */
  averageSpend: z.number().nullable(),
});
export type SegmentView = z.output<typeof segmentSchema>;

const histogramSchema = z.array(z.object({ from: z.number(), to: z.number(), customers: z.number().int() }));

export const modelsOverviewSchema = z.object({
  active: modelVersionSchema.nullable(),
  /** How many customers have a churn score / a predicted value. */
  scored: z.number().int(),
  churnHistogram: histogramSchema,
  ltvHistogram: histogramSchema,
  /** Features that weigh most in the churn model, in plain words, heaviest first (weights sum to at most 1). */
  importance: z.array(z.object({ feature: z.string(), label: z.string(), weight: z.number() })),
  /** The active version's segments, best customers first, "Not bought yet" last; empty before the first retrain. */
  segments: z.array(segmentSchema),
  /** Where the active version puts High, Medium and Low churn risk; null before the first retrain. */
  riskBands: riskBandsSchema.nullable(),
  running: retrainJobSchema.nullable(),
  /** The active version's check on the past (`metrics.backtest`) is still being worked out. */
  checking: z.boolean(),
});
export type ModelsOverview = z.output<typeof modelsOverviewSchema>;

export const recommendationSchema = z.object({
  /** The product's sku, else its title. */
  product: z.string(),
  title: z.string(),
  /** Why, in shop words: "Bought with Coffee beans 1kg". */
  reason: z.string(),
});
export type RecommendationView = z.output<typeof recommendationSchema>;

/** BG/NBD's view of a buyer's next purchase, as of the version's date. */
export const nextPurchaseSchema = z.object({
  /** Chance they are still a customer at all (have not quietly left), 0–1. */
  stillActive: z.number(),
  /** Chance of at least one purchase in the next 30 / 90 days, 0–1. */
  within30Days: z.number(),
  within90Days: z.number(),
  /** Expected number of purchases over the value horizon (`horizonDays`). */
  expectedPurchases: z.number(),
  horizonDays: z.number().int(),
  /** The day the chances count from: today, or the day after the last sale when the data ends long ago. */
  from: z.string(),
  /** The day by which a purchase is more likely than not; null when they are more likely gone for good. */
  expectedDate: z.string().nullable(),
});
export type NextPurchase = z.output<typeof nextPurchaseSchema>;

export const customerScoresSchema = z.object({
  churnScore: z.number().nullable(),
  /** The churn score's band by the active version's thresholds (`riskBands`); null when there is no churn score. */
  riskBand: z.enum(RISK_LEVELS).nullable(),
  riskBands: riskBandsSchema.nullable(),
  ltvScore: z.number().nullable(),
  segment: z.string().nullable(),
  /** Method of the version that scored them; null when not scored. */
  method: z.enum(PREDICTION_METHODS).nullable(),
  /** Null for customers who have not bought, or before the first retrain. */
  nextPurchase: nextPurchaseSchema.nullable(),
  /** Products they are likely to buy next, best first (at most 3), each with its reason. */
  recommendations: z.array(recommendationSchema),
  /**
   * Products they have shown interest in lately (cart adds, views, matching searches) and not bought since, strongest
   * first, with the intent score 0–100 (a cart add today scores 40; it halves every week).
   */
  interest: z.array(z.object({ product: z.string(), title: z.string(), score: z.number() })),
  modelVersion: z.number().int().nullable(),
  predictedAt: z.string().nullable(),
  /** The top reasons behind the churn risk and the predicted value, in plain words. */
  reasons: z.array(z.string()),
});
export type CustomerScores = z.output<typeof customerScoresSchema>;

const id = z.number().int().positive();

export const modelsContract = {
  'models.overview': command(
    'The active version with its metrics, score distributions, feature importance, segments and any retrain running.',
    z.object({}).strict(),
    modelsOverviewSchema,
  ),
  'models.versions': command('Every retrain, newest first.', z.object({}).strict(), z.array(modelVersionSchema)),
  'models.segments': command(
    'The active version’s segments with their sizes (what the Customers filter offers); empty before the first retrain.',
    z.object({}).strict(),
    z.array(segmentSchema),
  ),
  'models.retrain': command(
    'Start retraining in the background; follow it with models.job.',
    z.object({}).strict(),
    z.object({ jobId: id }),
  ),
  'models.job': command('A retrain’s stage and progress.', z.object({ jobId: id }).strict(), retrainJobSchema),
  'models.cancel': command('Stop a running retrain.', z.object({ jobId: id }).strict(), z.object({ ok: z.boolean() })),
  'models.activate': command(
    'Make an earlier version active again (roll back); every customer is scored with it.',
    z.object({ versionId: id }).strict(),
    z.object({ ok: z.boolean() }),
  ),
  'models.customer': command(
    'A customer’s churn risk, predicted value, segment, next purchase and recommendations, and the reasons behind them.',
    z.object({ profileId: id }).strict(),
    customerScoresSchema,
  ),
};
