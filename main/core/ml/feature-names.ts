/**
 * The layout of a customer's feature row: the columns features.ts builds, in order, and the BG/NBD columns the churn
 * model appends. Pure (no database), so the learners, the reasons and the tests read the layout without the builder.
 */
/** Categories with a share feature of their own (category_1_share…): the shop's most bought ones. */
export const TOP_CATEGORIES = 5;

export const FEATURE_NAMES = [
  'recency_days',
  'frequency',
  'monetary',
  'avg_order_value',
  'tenure_days',
  'gap_mean_days',
  'gap_spread_days',
  'overdue_ratio',
  'purchases_30d',
  'purchases_90d',
  'purchases_365d',
  'spend_90d',
  'spend_trend',
  'refund_share',
  'top_category_share',
  'categories_bought',
  'category_1_share',
  'category_2_share',
  'category_3_share',
  'category_4_share',
  'category_5_share',
  'channel_online',
  'channel_store',
  'channel_whatsapp',
  'channel_api',
  'views',
  'cart_adds',
  'searches',
  'messages',
  'engagement_90d',
  'days_since_last_activity',
  'profile_strength',
  'email_consent',
  'sms_consent',
  'whatsapp_consent',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * Columns the churn model appends to a buyer's features: BG/NBD (fitted on the shop's buyers at training) on
 * their recency, frequency and age, over the churn horizon. Not built by features.ts: retrain/scoring.ts adds them
 * from the model's own BG/NBD parameters.
 */
export const BGNBD_FEATURE_NAMES = ['bgnbd_p_alive', 'bgnbd_expected_purchases', 'bgnbd_p_no_purchase'] as const;
export type BgnbdFeatureName = (typeof BGNBD_FEATURE_NAMES)[number];
