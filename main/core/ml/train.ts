/**
 * Retraining: churn risk and predicted lifetime value learned from the shop's
 * own history by an honest time split.
 *
 * - The data's "now" (`asOf`) is the clock, or the day after the last sale
 *   when the history ends longer ago than the churn horizon (an old export).
 * - Churn: features as of `asOf − churn horizon`; the label is "no purchase in
 *   the horizon after it". LTV: features as of `asOf − LTV horizon`; the label
 *   is the net spend in the horizon after it.
 * - Customers are split by a seeded hash of their history (their feature row at
 *   the churn cutoff), so customers with identical histories — copies — stay
 *   together: 60% train, 20% for early stopping and calibration, 20% to
 *   measure on — customers the models never saw. The deployed models are the
 *   ones calibrated and measured, and the figures are worked out from the
 *   probabilities exactly as stored (`churnProbability`).
 * - Churn's trees also see BG/NBD's view of each buyer (chance still a
 *   customer, expected orders and chance of none in the horizon). Below 20,000
 *   training customers they also learn from the same question asked one
 *   horizon earlier (features as of `churn cutoff − horizon`, label: no
 *   purchase before the churn cutoff) for the training customers. The trees
 *   are not refitted on the tuning customers: the calibration is fitted on
 *   those customers' scores, so it must be the deployed trees' scores of
 *   customers they never learnt from (issue 13).
 * - Calibration (calibration.ts) keeps the model's ranking exactly and never
 *   says 0 or 1. Signs that the figures are too good to be true are kept with
 *   the metrics as alarms the shop sees (`Alarm`).
 * - Predictions use features as of `asOf` for every customer.
 * - Below the learned models' minimum data, small-shop mode: churn risk and
 *   predicted value come from the purchase pattern (BG/NBD with Gamma-Gamma,
 *   purchase-pattern.ts) fitted on every buyer, measured (when the history
 *   allows) on the same time split; the version says which method it used.
 *   With too little even for that, the shop is told what is missing, in numbers.
 * - Then, in both modes: every buyer's next-purchase figures from the purchase
 *   pattern as of `asOf`; the shop's High / Medium / Low risk lines from the
 *   buyers' churn risk (risk-bands.ts); segments (segments.ts, names kept from
 *   the previous version's, lapsing customers never Champions or Loyal);
 *   recommendations from co-purchases (recommendations.ts).
 * - The split by history and the alarms live in checks.ts; the backtest, run
 *   after the version is saved, in retrain-job.ts.
 */
import { AppError } from '../../../shared/contract/errors';
import type { PredictionMethod } from '../../../shared/contract/models';
import type { Database } from '../db/open';
import { type Alarm, type Backtest, churnAlarms, duplicateHistories, historyShare, splitShares } from './checks';
import { BGNBD_FEATURE_NAMES, FEATURE_NAMES } from './feature-names';
import { buildFeatures, type FeatureSet, outcomes } from './features';
import { type BgnbdParams, expectedPurchases, pAlive, pNoPurchase } from './learners/btyd/bgnbd';
import { type CalibrationMap, fitCalibration, probability } from './learners/calibration';
import type { Recommendation } from './learners/co-purchase/recommend';
import type { CoPurchaseModel } from './learners/co-purchase/similarity';
import { auc, brier, meanAbsoluteError, precisionAtTop } from './learners/metrics';
import {
  bgnbdChurn,
  DROPOUT_PRIOR,
  fitBuyers,
  fitPattern,
  type NextPurchaseFigures,
  nextPurchase,
  type PurchasePattern,
  patternValue,
  summary,
} from './learners/purchase-pattern';
import type { SegmentModel } from './learners/segments/model';
import { assignSegment, fitSegments } from './learners/segments/segments';
import { trainBoosted } from './learners/trees/boosting';
import { type BoostedModel, featureImportance, predict } from './learners/trees/predictor';
import { buildAndRecommend, recommendAll } from './recommendations';
import { fitRiskBands, type RiskBands } from './risk-bands';

const DAY = 86_400_000;

export interface Horizons {
  /** A customer has churned when they buy nothing for this many days. */
  churnDays: number;
  /** Predicted value is the net spend expected over this many days. */
  ltvDays: number;
}

export const DEFAULT_HORIZONS: Horizons = { churnDays: 90, ltvDays: 180 };

/** The least history the tree models learn from (below it, small-shop mode takes over). */
export const MINIMUM = { historyDays: 60, customers: 200, eachOutcome: 20 };

/**
 * The least small-shop mode predicts from: this many buyers, of whom this many came back on a later day than their
 * first purchase (BG/NBD learns how often people buy from repeat purchases spread over time).
 */
export const SMALL_SHOP_MINIMUM = { buyers: 10, repeatBuyers: 3 };

/** Small-shop measures need at least this many customers behind each figure (fewer say nothing). */
const SMALL_SHOP_MEASURE = { eachOutcome: 5, customers: 10 };

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

function purchaseSpan(db: Database, brandId: number): { first: number | null; last: number | null } {
  // ORDER BY … LIMIT 1 walks the (brand, type, time) index from either end; min()/max() with the extra condition
  // would read every purchase (seconds at a million events).
  return db.sqlite
    .prepare(
      `SELECT (SELECT occurred_at FROM customer_raw_event WHERE brand_id = ? AND event_type = 'purchase'
                 AND customer_profile_id IS NOT NULL ORDER BY occurred_at LIMIT 1) AS first,
              (SELECT occurred_at FROM customer_raw_event WHERE brand_id = ? AND event_type = 'purchase'
                 AND customer_profile_id IS NOT NULL ORDER BY occurred_at DESC LIMIT 1) AS last`,
    )
    .get(brandId, brandId) as { first: number | null; last: number | null };
}

/** The instant predictions are made as of (see the header). */
export function dataNow(db: Database, brandId: number, now: number, horizons: Horizons): number {
  return asOfFor(purchaseSpan(db, brandId).last, now, horizons);
}

function asOfFor(lastPurchase: number | null, now: number, horizons: Horizons): number {
  if (lastPurchase === null || lastPurchase >= now - horizons.churnDays * DAY) return now;
  return lastPurchase + DAY;
}

/**
 * Below this many churn training customers, churn also learns from the question one horizon earlier: there more rows
 * pay, while far above it they barely move the AUC and would cost most of the retrain time.
 */
const EARLIER_BELOW = 20_000;

const TREE_PARAMS = {
  trees: 200,
  learningRate: 0.05,
  maxLeaves: 15,
  minSamplesLeaf: 20,
  subsample: 0.8,
  featureSubsample: 0.8,
  earlyStoppingRounds: 20,
};

function pick<T>(items: readonly T[], keep: readonly number[]): T[] {
  return keep.map((i) => items[i] as T);
}

export function train(db: Database, brandId: number, options: RetrainOptions): Trained {
  const horizons = options.horizons ?? DEFAULT_HORIZONS;
  const seed = options.seed ?? 1;
  const step = (stage: RetrainStage) => {
    if (options.signal?.aborted) throw new RetrainCancelled();
    options.onStage?.(stage);
  };

  step('checking');
  const span = purchaseSpan(db, brandId);
  const asOf = asOfFor(span.last, options.now, horizons);
  const churnCutoff = asOf - horizons.churnDays * DAY;
  const ltvCutoff = asOf - horizons.ltvDays * DAY;
  const haveDays = span.first === null ? 0 : Math.floor((asOf - span.first) / DAY);
  const needDays = MINIMUM.historyDays + Math.max(horizons.churnDays, horizons.ltvDays);

  step('features');
  const churnSet = buildFeatures(db, brandId, churnCutoff);
  const churnOutcomes = outcomes(db, brandId, churnCutoff, asOf);
  const buyers = churnSet.profileIds.map((_, i) => i).filter((i) => churnSet.buyer[i]);
  const churned = buyers.filter((i) => !((churnOutcomes.get(churnSet.profileIds[i] as number)?.purchases ?? 0) > 0));
  const missing: string[] = [];
  if (haveDays < needDays) missing.push(`${needDays} days of purchases (you have ${haveDays})`);
  if (buyers.length < MINIMUM.customers)
    missing.push(
      `${MINIMUM.customers} customers who bought more than ${horizons.churnDays} days ago (you have ${buyers.length})`,
    );
  else if (churned.length < MINIMUM.eachOutcome || buyers.length - churned.length < MINIMUM.eachOutcome)
    missing.push(
      `at least ${MINIMUM.eachOutcome} customers who came back and ${MINIMUM.eachOutcome} who did not (you have ${buyers.length - churned.length} and ${churned.length})`,
    );
  if (missing.length > 0) return trainSmallShop(db, brandId, { ...options, horizons, seed }, asOf, missing, step);

  step('churn');
  const shares = splitShares(churnSet, seed);
  const parts = (set: FeatureSet, rows: number[]) => {
    const train: number[] = [];
    const tune: number[] = [];
    const test: number[] = [];
    for (const i of rows) {
      const id = set.profileIds[i] as number;
      const s = shares.get(id) ?? historyShare(set.rows[i] as Float64Array, seed);
      (s < 0.6 ? train : s < 0.8 ? tune : test).push(i);
    }
    return { train, tune, test };
  };
  const churnLabel = (i: number) => ((churnOutcomes.get(churnSet.profileIds[i] as number)?.purchases ?? 0) > 0 ? 0 : 1);
  const c = parts(churnSet, buyers);
  // BG/NBD fitted on every buyer's history before the cutoff (no outcomes: nothing leaks). The trees learn from its
  // view of each buyer (BGNBD_FEATURE_NAMES) beside the shop's features, and its chance of no purchase in the horizon
  // is blended with the trees' score by the weight that ranks the tuning customers best: on a shop where recency and
  // frequency say it all (BG/NBD's own world) the blend leans on BG/NBD, which small training sets cannot beat; where
  // habits, categories or channels say more, on the trees.
  const bgnbd = fitBuyers(pick(churnSet.rows, buyers));
  const churnNames = bgnbd ? [...churnSet.names, ...BGNBD_FEATURE_NAMES] : churnSet.names;
  const churnRow = (i: number) => churnRowOf(bgnbd, churnSet.rows[i] as Float64Array, horizons.churnDays);
  const tuneRows = c.tune.map(churnRow);
  const tuneLabels = c.tune.map(churnLabel);
  const earlier =
    c.train.length < EARLIER_BELOW
      ? earlierExamples(db, brandId, churnCutoff, horizons.churnDays, churnSet.categories, shares, bgnbd)
      : { rows: [], labels: [] };
  const churn = trainBoosted({
    ...TREE_PARAMS,
    seed,
    objective: 'logistic',
    featureNames: churnNames,
    rows: [...c.train.map(churnRow), ...earlier.rows],
    labels: [...c.train.map(churnLabel), ...earlier.labels],
    validation: { rows: tuneRows, labels: tuneLabels },
  });
  const tuneTrees = tuneRows.map((row) => predict(churn, row));
  const tuneBgnbd = c.tune.map((i) => bgnbdChurn(bgnbd, churnSet.rows[i] as Float64Array, horizons.churnDays));
  const blendOf = (w: number) => tuneTrees.map((t, k) => w * t + (1 - w) * (tuneBgnbd[k] as number));
  let blend = 1;
  if (bgnbd) {
    let best = -1;
    for (let step = 0; step <= 10; step++) {
      const score = auc(blendOf(step / 10), tuneLabels);
      if (score > best + 1e-9) {
        best = score;
        blend = step / 10;
      }
    }
  }
  // The blend and the calibration are chosen on the deployed trees' scores of the tuning customers, whom the trees
  // never learnt from (early stopping only watched them).
  const tuneScores = blendOf(blend);
  const calibration = fitCalibration(tuneScores, tuneLabels).map;
  const deployed: ChurnModel = { horizons, churn, bgnbd, blend, calibration };
  // Measured on what the shop gets: the probabilities exactly as they are stored.
  const testScores = c.test.map((i) => treesChurnProbability(deployed, churnSet.rows[i] as Float64Array));
  const testLabels = c.test.map(churnLabel);
  const recencyIndex = churnSet.names.indexOf('recency_days');
  const churnMetrics = {
    auc: auc(testScores, testLabels),
    brier: brier(testScores, testLabels),
    precisionTop10: precisionAtTop(testScores, testLabels, 0.1),
    recencyAuc: auc(
      c.test.map((i) => (churnSet.rows[i] as Float64Array)[recencyIndex] as number),
      testLabels,
    ),
    churnRate: testLabels.reduce<number>((a, b) => a + b, 0) / Math.max(1, testLabels.length),
    testCustomers: c.test.length,
    tuningAuc: auc(tuneScores, tuneLabels),
  };
  const alarms = churnAlarms({
    tuningAuc: churnMetrics.tuningAuc,
    treesKept: churn.trees.length,
    treeLimit: TREE_PARAMS.trees,
    calibration,
    duplicates: duplicateHistories(churnSet, buyers),
  });

  step('value');
  // One meaning for the category features in both models and in scoring: the churn training set's categories.
  const ltvSet =
    horizons.ltvDays === horizons.churnDays ? churnSet : buildFeatures(db, brandId, ltvCutoff, churnSet.categories);
  const ltvOutcomes = outcomes(db, brandId, ltvCutoff, ltvCutoff + horizons.ltvDays * DAY);
  const before = outcomes(db, brandId, ltvCutoff - horizons.ltvDays * DAY, ltvCutoff);
  const ltvBuyers = ltvSet.profileIds.map((_, i) => i).filter((i) => ltvSet.buyer[i]);
  const spend = (i: number) => ltvOutcomes.get(ltvSet.profileIds[i] as number)?.spend ?? 0;
  const l = parts(ltvSet, ltvBuyers);
  const ltv = trainBoosted({
    ...TREE_PARAMS,
    seed,
    objective: 'poisson',
    featureNames: ltvSet.names,
    rows: pick(ltvSet.rows, l.train),
    labels: l.train.map(spend),
    validation: { rows: pick(ltvSet.rows, l.tune), labels: l.tune.map(spend) },
  });
  const actual = l.test.map(spend);
  const mae = meanAbsoluteError(
    l.test.map((i) => predict(ltv, ltvSet.rows[i] as Float64Array)),
    actual,
  );
  const baselineMae = meanAbsoluteError(
    l.test.map((i) => before.get(ltvSet.profileIds[i] as number)?.spend ?? 0),
    actual,
  );

  step('predictions');
  const importance = (model: BoostedModel) =>
    featureImportance(model)
      .map((weight, i) => ({ feature: model.featureNames[i] ?? String(i), weight }))
      .filter((f) => f.weight > 0)
      .sort((a, b) => b.weight - a.weight);
  const nowSet = buildFeatures(db, brandId, asOf + 1, churnSet.categories);
  const artifact: TreesArtifact = {
    method: 'trees',
    asOf,
    horizons,
    seed,
    categories: churnSet.categories,
    churn,
    bgnbd,
    blend,
    calibration,
    ltv,
    pattern: fitPattern(buyerRows(nowSet)),
    importance: { churn: importance(churn), ltv: importance(ltv) },
  };
  return {
    method: 'trees',
    artifact,
    metrics: {
      churn: churnMetrics,
      alarms,
      ltv: {
        mae,
        baselineMae,
        ratioToBaseline: baselineMae > 0 ? mae / baselineMae : Number.NaN,
        testCustomers: l.test.length,
      },
    },
    // Customers either model learned from (most are in both).
    trainingRows: new Set([...c.train.map((i) => churnSet.profileIds[i]), ...l.train.map((i) => ltvSet.profileIds[i])])
      .size,
    predictions: options.scoresOnly
      ? scoreSet(artifact, nowSet)
      : finish(db, brandId, artifact, nowSet, { ...options, seed }, step),
  };
}

const buyerRows = (set: FeatureSet) => set.rows.filter((_, i) => set.buyer[i]);

/**
 * Small-shop mode: the purchase pattern fitted on every buyer as of `asOf` is the model. It is measured the honest
 * way where the history allows: fitted on the history before the churn (value) cutoff, which uses no outcome, and
 * compared with what those customers did after it. Too few customers for a figure leaves it out (null).
 */
function trainSmallShop(
  db: Database,
  brandId: number,
  options: RetrainOptions & { horizons: Horizons; seed: number },
  asOf: number,
  missing: readonly string[],
  step: (stage: RetrainStage) => void,
): Trained {
  const { horizons } = options;
  const nowSet = buildFeatures(db, brandId, asOf + 1);
  const buyers = buyerRows(nowSet);
  step('churn');
  const pattern = fitPattern(buyers);
  if (buyers.length === 0)
    throw new AppError(
      'validation',
      'Not enough history to predict from yet: there are no sales to learn from. Import your sales history on the Import page, or wait for orders to come in.',
    );
  // Came back on a later day: a repeat purchase with time between it and the first.
  const repeat = buyers.filter((row) => (summary(row)?.tx ?? 0) > 0).length;
  if (!pattern || buyers.length < SMALL_SHOP_MINIMUM.buyers || repeat < SMALL_SHOP_MINIMUM.repeatBuyers)
    throw new AppError(
      'validation',
      `Not enough history to predict from yet: predictions need at least ${SMALL_SHOP_MINIMUM.buyers} customers who bought, ${SMALL_SHOP_MINIMUM.repeatBuyers} of them coming back on a later day (you have ${buyers.length}, ${repeat} of them coming back). The learned models need ${missing.join(' and ')}. Import older sales or wait for more to come in.`,
    );
  const churnCutoff = asOf - horizons.churnDays * DAY;
  const churnSet = buildFeatures(db, brandId, churnCutoff, nowSet.categories);
  const churnOutcomes = outcomes(db, brandId, churnCutoff, asOf);
  const churnRows = churnSet.rows.filter((_, i) => churnSet.buyer[i]);
  const churnLabels = churnSet.profileIds
    .filter((_, i) => churnSet.buyer[i])
    .map((id) => ((churnOutcomes.get(id)?.purchases ?? 0) > 0 ? 0 : 1));
  const churnParams = fitBuyers(churnRows, DROPOUT_PRIOR);
  const churned = churnLabels.reduce<number>((a, b) => a + b, 0);
  let churnMetrics: ScoreMetrics['churn'] = null;
  if (
    churnParams &&
    churned >= SMALL_SHOP_MEASURE.eachOutcome &&
    churnLabels.length - churned >= SMALL_SHOP_MEASURE.eachOutcome
  ) {
    const scores = churnRows.map((row) => bgnbdChurn(churnParams, row, horizons.churnDays));
    const recency = churnSet.names.indexOf('recency_days');
    churnMetrics = {
      auc: auc(scores, churnLabels),
      brier: brier(scores, churnLabels),
      precisionTop10: precisionAtTop(scores, churnLabels, 0.1),
      recencyAuc: auc(
        churnRows.map((row) => row[recency] as number),
        churnLabels,
      ),
      churnRate: churned / churnLabels.length,
      testCustomers: churnLabels.length,
    };
  }

  step('value');
  const ltvCutoff = asOf - horizons.ltvDays * DAY;
  const ltvSet = buildFeatures(db, brandId, ltvCutoff, nowSet.categories);
  const ltvPattern = fitPattern(buyerRows(ltvSet));
  const ltvOutcomes = outcomes(db, brandId, ltvCutoff, ltvCutoff + horizons.ltvDays * DAY);
  const before = outcomes(db, brandId, ltvCutoff - horizons.ltvDays * DAY, ltvCutoff);
  const ltvBuyers = ltvSet.profileIds.map((_, i) => i).filter((i) => ltvSet.buyer[i]);
  let ltvMetrics: ScoreMetrics['ltv'] = null;
  if (ltvPattern && ltvBuyers.length >= SMALL_SHOP_MEASURE.customers) {
    const actual = ltvBuyers.map((i) => ltvOutcomes.get(ltvSet.profileIds[i] as number)?.spend ?? 0);
    const mae = meanAbsoluteError(
      ltvBuyers.map((i) => patternValue(ltvPattern, ltvSet.rows[i] as Float64Array, horizons.ltvDays)),
      actual,
    );
    const baselineMae = meanAbsoluteError(
      ltvBuyers.map((i) => before.get(ltvSet.profileIds[i] as number)?.spend ?? 0),
      actual,
    );
    if (baselineMae > 0)
      ltvMetrics = { mae, baselineMae, ratioToBaseline: mae / baselineMae, testCustomers: ltvBuyers.length };
  }
  const measured = (metrics: NonNullable<ScoreMetrics['churn']> | NonNullable<ScoreMetrics['ltv']> | null) =>
    metrics && Object.values(metrics).every(Number.isFinite) ? metrics : null;

  step('predictions');
  const artifact: SmallShopArtifact = {
    method: 'bgnbd',
    asOf,
    horizons,
    seed: options.seed,
    categories: nowSet.categories,
    pattern,
    importance: { churn: [], ltv: [] },
  };
  return {
    method: 'bgnbd',
    artifact,
    metrics: {
      churn: measured(churnMetrics) as ScoreMetrics['churn'],
      ltv: measured(ltvMetrics) as ScoreMetrics['ltv'],
    },
    trainingRows: buyers.length,
    predictions: options.scoresOnly ? scoreSet(artifact, nowSet) : finish(db, brandId, artifact, nowSet, options, step),
  };
}

/**
 * Both modes end here: every customer scored, the shop's risk bands set from the buyers' churn risk, then segments
 * fitted on the same rows (names kept from the previous version's; nobody at High risk or long overdue keeps a name
 * that says they buy now), then recommendations from the co-purchases before `asOf`. The artifact keeps the bands
 * and both models.
 */
function finish(
  db: Database,
  brandId: number,
  artifact: ScoresArtifact,
  set: FeatureSet,
  options: RetrainOptions & { seed: number },
  step: (stage: RetrainStage) => void,
): Prediction[] {
  const predictions = scoreSet(artifact, set);
  // The bands come first: the segments' lapsing rule uses the High line.
  const churn = predictions.map((p) => p.churn);
  artifact.riskBands = fitRiskBands(churn);
  step('segments');
  const fitted = fitSegments(
    { rows: set.rows, names: set.names, churn, value: predictions.map((p) => p.ltv) },
    {
      seed: options.seed,
      highRisk: artifact.riskBands?.high ?? null,
      ...(options.previousSegments ? { previous: options.previousSegments } : {}),
    },
  );
  artifact.segments = fitted.model;
  predictions.forEach((p, i) => {
    p.segment = fitted.assignments[i] ?? null;
  });
  step('recommendations');
  const { model, recommendations } = buildAndRecommend(db, brandId, artifact.asOf + 1);
  artifact.copurchase = model;
  for (const p of predictions) p.recommendations = recommendations.get(p.profileId) ?? [];
  return predictions;
}

function addRecommendations(
  db: Database,
  brandId: number,
  asOf: number,
  model: CoPurchaseModel,
  predictions: Prediction[],
): void {
  const recommended = recommendAll(db, brandId, asOf + 1, model);
  for (const p of predictions) p.recommendations = recommended.get(p.profileId) ?? [];
}

/** Churn, value and next purchase for every row (segments and recommendations come after). */
function scoreSet(artifact: ScoresArtifact, set: FeatureSet): Prediction[] {
  const { asOf, horizons } = artifact;
  const pattern = artifact.pattern ?? null;
  return set.profileIds.map((profileId, i) => {
    const row = set.rows[i] as Float64Array;
    const buyer = set.buyer[i] === true;
    let churn: number | null = null;
    let ltv: number | null;
    if (artifact.method === 'bgnbd') {
      churn = buyer ? bgnbdChurn(artifact.pattern.bgnbd, row, horizons.churnDays) : null;
      ltv = buyer ? patternValue(artifact.pattern, row, horizons.ltvDays) : null;
    } else {
      churn = buyer ? churnProbability(artifact, row) : null;
      ltv = predict(artifact.ltv, row);
    }
    return {
      profileId,
      churn,
      ltv: ltv === null ? null : Math.max(0, Math.round(ltv * 100) / 100),
      segment: null,
      recommendations: [],
      next: buyer && pattern ? (nextPurchase(pattern, row, asOf, horizons.ltvDays) ?? null) : null,
    };
  });
}

/** Every customer scored by a version's models, from features as of `asOf`, with its segments and recommendations. */
export function predictAll(db: Database, brandId: number, artifact: ScoresArtifact, asOf: number): Prediction[] {
  const set = buildFeatures(db, brandId, asOf + 1, artifact.categories);
  const predictions = scoreSet({ ...artifact, asOf } as ScoresArtifact, set);
  const segments = artifact.segments;
  if (segments)
    predictions.forEach((p, i) => {
      p.segment = assignSegment(segments, set.rows[i] as Float64Array, p.churn);
    });
  if (artifact.copurchase) addRecommendations(db, brandId, asOf, artifact.copurchase, predictions);
  return predictions;
}

/** What scores churn in a learned version. */
type ChurnModel = Pick<TreesArtifact, 'horizons' | 'churn' | 'bgnbd' | 'blend' | 'calibration'>;

/** The deployed churn risk of a buyer's feature row: the blended score, calibrated (or the purchase pattern's). */
export function churnProbability(artifact: ScoresArtifact, row: Float64Array): number {
  if (artifact.method === 'bgnbd') return bgnbdChurn(artifact.pattern.bgnbd, row, artifact.horizons.churnDays);
  return treesChurnProbability(artifact, row);
}

function treesChurnProbability(model: ChurnModel, row: Float64Array): number {
  return probability(model.calibration, churnScore(model, row));
}

/** The churn score before calibration: the trees' and BG/NBD's, blended as trained. */
export function churnScore(artifact: ChurnModel, row: Float64Array): number {
  const w = artifact.blend ?? 1;
  // Versions trained before the BG/NBD features score the shop's features as they are.
  const withBgnbd = artifact.churn.featureNames[FEATURE_NAMES.length] === BGNBD_FEATURE_NAMES[0];
  const trees = predict(
    artifact.churn,
    withBgnbd ? churnRowOf(artifact.bgnbd ?? null, row, artifact.horizons.churnDays) : row,
  );
  return w === 1 ? trees : w * trees + (1 - w) * bgnbdChurn(artifact.bgnbd ?? null, row, artifact.horizons.churnDays);
}

/**
 * The churn trees' row: the buyer's features, then BG/NBD's view of them over the next `days` in
 * BGNBD_FEATURE_NAMES order (NaN for a non-buyer); the features alone when there is no BG/NBD.
 */
function churnRowOf(params: BgnbdParams | null, row: Float64Array, days: number): Float64Array {
  if (!params) return row;
  const out = new Float64Array(FEATURE_NAMES.length + BGNBD_FEATURE_NAMES.length).fill(Number.NaN);
  out.set(row.subarray(0, FEATURE_NAMES.length));
  const customer = summary(row);
  if (customer) {
    out[FEATURE_NAMES.length] = pAlive(params, customer);
    out[FEATURE_NAMES.length + 1] = expectedPurchases(params, customer, days);
    out[FEATURE_NAMES.length + 2] = pNoPurchase(params, customer, days);
  }
  return out;
}

interface Examples {
  rows: Float64Array[];
  labels: number[];
}

/**
 * The churn question one horizon earlier: buyers' features as of `cutoff − days`, labelled by whether they bought
 * before `cutoff` (all of it history the models may learn from). Only training customers, split as at the cutoff: a
 * tuning or test customer is never learnt from at any date. Empty when the history starts later.
 */
function earlierExamples(
  db: Database,
  brandId: number,
  cutoff: number,
  days: number,
  categories: readonly string[],
  shares: ReadonlyMap<number, number>,
  bgnbd: BgnbdParams | null,
): Examples {
  const at = cutoff - days * DAY;
  const set = buildFeatures(db, brandId, at, categories);
  const after = outcomes(db, brandId, at, cutoff);
  const examples: Examples = { rows: [], labels: [] };
  set.profileIds.forEach((profileId, i) => {
    // A buyer then is a buyer at the cutoff too, so every one has a share.
    if (!set.buyer[i] || !((shares.get(profileId) ?? 1) < 0.6)) return;
    examples.rows.push(churnRowOf(bgnbd, set.rows[i] as Float64Array, days));
    examples.labels.push((after.get(profileId)?.purchases ?? 0) > 0 ? 0 : 1);
  });
  return examples;
}
