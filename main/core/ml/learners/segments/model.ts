/**
 * What a segment model is: plain JSON (scaling, centroids, names, descriptions, the lapsing rule), so it can be stored
 * with the model registry and score new rows later with `assignSegment` (segments.ts).
 */

export interface SegmentFeature {
  /** Column name in the feature rows. */
  name: string;
  /** Column index in rows that follow `SegmentModel.names`. */
  column: number;
  transform: 'log1p';
  /** Clip bounds on the transformed value (the shop's 1st and 99th percentile). */
  lo: number;
  hi: number;
  mean: number;
  sd: number;
  weight: number;
}

export interface Rfm {
  recency: number;
  frequency: number;
  monetary: number;
}

export interface Segment {
  name: string;
  description: string;
  /** In the scaled (and weighted) space. */
  centroid: number[];
  /** The centroid in original units, per clustered feature ("last bought 12 days ago, 6 orders, 420 spent"). */
  typical: Record<string, number>;
  /**
   * Where the centroid sits among the shop's buyers, 0 … 1, higher = better: the share of buyers who bought longer
   * ago, fewer times, for less (ties counted half); recency is the better of that and its days (see LONG_AGO_DAYS).
   */
  standing: Rfm;
  /** `standing` with the bottom fifth of the shop as 0 and the top fifth as 1: what the names are given from. */
  scores: Rfm;
  /** Customers in it when fitted. */
  size: number;
  /** Mean net spend (monetary) of its customers when fitted. */
  averageSpend: number;
  /** Mean churn probability / predicted value when fitted, when predictions were passed in. */
  averageChurn: number | null;
  averageValue: number | null;
  /** The name came from the previous model's matching segment. */
  keptName: boolean;
}

/** Customers in a segment and their means, when fitted. */
export interface SegmentTally {
  name: string;
  size: number;
  averageSpend: number;
  averageChurn: number | null;
  averageValue: number | null;
}

/** What `assignSegment` needs to tell a lapsing buyer (see the header), as fitted. */
export interface LapseRule {
  /** The shop's 75th-percentile gap between purchases, in days, over buyers with a gap; null when nobody has one. */
  p75GapDays: number | null;
  /** Churn risk from which a buyer is in the shop's High band; null when there were no churn scores. */
  highRisk: number | null;
  /** The shop's median spend (monetary) over buyers: a lapsing buyer who spent this much is "At risk". */
  medianSpend: number;
  /** Columns of recency_days, monetary and gap_mean_days in the rows (−1: the column is not there). */
  recencyColumn: number;
  monetaryColumn: number;
  gapColumn: number;
  /** The lapsing buyers the rule named apart from their cluster, per name they got, when fitted. */
  moved: SegmentTally[];
}

/** Plain JSON: store it, parse it back, and `assignSegment` scores exactly as before. */
export interface SegmentModel {
  version: 1;
  /** The feature columns rows must follow (as given to `fitSegments`). */
  names: string[];
  features: SegmentFeature[];
  /** Column of `frequency`: a row with no purchase (0 or missing) is "Not bought yet". */
  buyerColumn: number;
  /** Clusters, in display order (by name); sizes and means count the customers who kept the cluster's name. */
  segments: Segment[];
  /** The lapsing rule (absent in models stored before it: they assign by cluster alone). */
  lapse?: LapseRule;
  k: number;
  /** Mean silhouette of each candidate k (empty when only one k was possible). */
  silhouette: { k: number; score: number }[];
  seed: number;
  buyers: number;
  notBought: number;
}
