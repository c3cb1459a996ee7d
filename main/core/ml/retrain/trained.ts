/**
 * What a retrain produces and a version stores: the horizons, the stored artifact (everything needed to predict again
 * on a rollback, and to explain), the measures, and one prediction per customer. Types only, and the cancel signal.
 */
import type { PredictionMethod } from '../../../../shared/contract/models';
import type { BgnbdParams } from '../learners/btyd/bgnbd';
import type { CalibrationMap } from '../learners/calibration';
import type { Recommendation } from '../learners/co-purchase/recommend';
import type { CoPurchaseModel } from '../learners/co-purchase/similarity';
import type { NextPurchaseFigures, PurchasePattern } from '../learners/purchase-pattern';
import type { SegmentModel } from '../learners/segments/model';
import type { BoostedModel } from '../learners/trees/predictor';
import type { Alarm, Backtest } from './checks';
import type { RiskBands } from './risk-bands';

export interface Horizons {
  /** A customer has churned when they buy nothing for this many days. */
  churnDays: number;
  /** Predicted value is the net spend expected over this many days. */
  ltvDays: number;
}

export const DEFAULT_HORIZONS: Horizons = { churnDays: 90, ltvDays: 180 };

export type RetrainStage = 'checking' | 'features' | 'churn' | 'value' | 'predictions' | 'segments' | 'recommendations';

export interface RetrainOptions {
  now: number;
  horizons?: Horizons;
  seed?: number;
  onStage?: (stage: RetrainStage) => void;
  signal?: AbortSignal;
  /** The active version's segments: clusters that barely moved keep their names. */
  previousSegments?: SegmentModel;
  /** Churn, value and next purchase only: no segments or recommendations (the backtest). */
  scoresOnly?: boolean;
}

/** Measures on customers the models never saw; null where they could not be worked out (small-shop mode only). */
export interface ScoreMetrics {
  churn: {
    auc: number;
    brier: number;
    precisionTop10: number;
    /** AUC of judging by days since the last purchase alone, on the same customers. */
    recencyAuc: number;
    /** Share of measured customers who did not buy again in the horizon. */
    churnRate: number;
    testCustomers: number;
    /** AUC on the customers the churn model was tuned on (early stopping, blend, calibration). */
    tuningAuc?: number;
  } | null;
  ltv: {
    mae: number;
    /** MAE of "they will spend what they spent in the previous period". */
    baselineMae: number;
    ratioToBaseline: number;
    testCustomers: number;
  } | null;
  /** Signs that a figure is too good to be true or cannot be trusted, in shop words (empty: none). */
  alarms?: Alarm[];
  /**
   * The whole procedure re-run one churn horizon earlier and its stored-style scores checked against what customers
   * then did (run after the retrain, in the background). Absent until it has run; null when the history is too short.
   */
  backtest?: Backtest | null;
}

interface ArtifactBase {
  asOf: number;
  horizons: Horizons;
  seed: number;
  categories: string[];
  /** BG/NBD + Gamma-Gamma on every buyer as of `asOf`: next-purchase figures (null: nobody bought twice). */
  pattern?: PurchasePattern | null;
  /** Segments as fitted (absent in versions from before segments existed). */
  segments?: SegmentModel;
  /**
   * High / Medium / Low churn risk from this version's buyers (risk-bands.ts); absent in versions from before them,
   * which use the fixed thresholds.
   */
  riskBands?: RiskBands | null;
  /** Co-purchase similarities the recommendations come from. */
  copurchase?: CoPurchaseModel;
  importance: { churn: { feature: string; weight: number }[]; ltv: { feature: string; weight: number }[] };
}

/** Learned models (method 'trees'; versions from before small-shop mode have no `method`). */
export interface TreesArtifact extends ArtifactBase {
  method?: 'trees';
  churn: BoostedModel;
  /** BG/NBD fitted at training time (null when nobody had bought twice) and the trees' weight in the blend. */
  bgnbd?: BgnbdParams | null;
  blend?: number;
  calibration: CalibrationMap;
  ltv: BoostedModel;
}

/** Small-shop mode: the purchase pattern is the model. */
export interface SmallShopArtifact extends ArtifactBase {
  method: 'bgnbd';
  pattern: PurchasePattern;
}

/** What a version stores: everything needed to predict again (a rollback) and to explain. */
export type ScoresArtifact = TreesArtifact | SmallShopArtifact;

export interface Prediction {
  profileId: number;
  /** Buyers only. */
  churn: number | null;
  /** Null in small-shop mode for customers who have not bought (the purchase pattern says nothing of them). */
  ltv: number | null;
  segment: string | null;
  recommendations: Recommendation[];
  /** Buyers only, when the purchase pattern could be fitted. */
  next: NextPurchaseFigures | null;
}

export interface Trained {
  method: PredictionMethod;
  artifact: ScoresArtifact;
  metrics: ScoreMetrics;
  trainingRows: number;
  predictions: Prediction[];
}

/** Stops a retrain between stages when the shop pressed Cancel. */
export class RetrainCancelled extends Error {
  constructor() {
    super('The retrain was cancelled.');
  }
}
