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
 * - Calibration (learners/calibration.ts) keeps the model's ranking exactly and never
 *   says 0 or 1. Signs that the figures are too good to be true are kept with
 *   the metrics as alarms the shop sees (`Alarm`).
 * - Predictions use features as of `asOf` for every customer.
 * - Below the learned models' minimum data, small-shop mode (small-shop.ts):
 *   churn risk and predicted value come from the purchase pattern (BG/NBD with
 *   Gamma-Gamma, learners/purchase-pattern.ts) fitted on every buyer, measured
 *   (when the history allows) on the same time split; the version says which
 *   method it used. With too little even for that, the shop is told what is
 *   missing, in numbers.
 * - Then, in both modes (scoring.ts): every buyer's next-purchase figures from
 *   the purchase pattern as of `asOf`; the shop's High / Medium / Low risk lines
 *   from the buyers' churn risk (risk-bands.ts); segments (learners/segments/,
 *   names kept from the previous version's, lapsing customers never Champions
 *   or Loyal); recommendations from co-purchases (../recommendations.ts).
 * - What a retrain produces and a version stores is trained.ts.
 * - The split by history and the alarms live in checks.ts; the backtest, run
 *   after the version is saved, in retrain-job.ts.
 */
import type { Database } from '../../db/open';
import { purchaseSpan } from '../../db/repos/event-reads';
import { BGNBD_FEATURE_NAMES } from '../feature-names';
import { buildFeatures, type FeatureSet, outcomes } from '../features';
import type { BgnbdParams } from '../learners/btyd/bgnbd';
import { fitCalibration } from '../learners/calibration';
import { auc, brier, meanAbsoluteError, precisionAtTop } from '../learners/metrics';
import { bgnbdChurn, fitBuyers, fitPattern } from '../learners/purchase-pattern';
import { trainBoosted } from '../learners/trees/boosting';
import { type BoostedModel, featureImportance, predict } from '../learners/trees/predictor';
import { churnAlarms, duplicateHistories, historyShare, splitShares } from './checks';
import { buyerRows, type ChurnModel, churnRowOf, finish, scoreSet, treesChurnProbability } from './scoring';
import { trainSmallShop } from './small-shop';
import {
  DEFAULT_HORIZONS,
  type Horizons,
  RetrainCancelled,
  type RetrainOptions,
  type RetrainStage,
  type Trained,
  type TreesArtifact,
} from './trained';

const DAY = 86_400_000;

/** The least history the tree models learn from (below it, small-shop mode takes over). */
export const MINIMUM = { historyDays: 60, customers: 200, eachOutcome: 20 };

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
