/**
 * Retraining: churn risk and predicted lifetime value learned from the shop's
 * own history by an honest time split.
 *
 * - The data's "now" (`asOf`) is the clock, or the day after the last sale
 *   when the history ends longer ago than the churn horizon (an old export).
 * - Churn: features as of `asOf − churn horizon`; the label is "no purchase in
 *   the horizon after it". LTV: features as of `asOf − LTV horizon`; the label
 *   is the net spend in the horizon after it.
 * - Customers are split by a seeded hash of their id: 60% train, 20% for early
 *   stopping and calibration, 20% to measure on — customers the models never
 *   saw. The deployed models are the ones measured.
 * - Predictions use features as of `asOf` for every customer.
 * With too little history the shop is told what is missing, in numbers.
 */
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { type BgnbdCustomer, type BgnbdParams, fitBgnbd, pNoPurchase } from './bgnbd';
import { calibrate, fitIsotonic, type IsotonicMap } from './calibration';
import { buildFeatures, FEATURE_NAMES, type FeatureSet, outcomes } from './features';
import { auc, brier, meanAbsoluteError, precisionAtTop } from './metrics';
import { type BoostedModel, featureImportance, predict, trainBoosted } from './trees';

const DAY = 86_400_000;

export interface Horizons {
  /** A customer has churned when they buy nothing for this many days. */
  churnDays: number;
  /** Predicted value is the net spend expected over this many days. */
  ltvDays: number;
}

export const DEFAULT_HORIZONS: Horizons = { churnDays: 90, ltvDays: 180 };

/** The least history the tree models learn from (below it, issue 7's small-shop mode takes over). */
export const MINIMUM = { historyDays: 60, customers: 200, eachOutcome: 20 };

export type RetrainStage = 'checking' | 'features' | 'churn' | 'value' | 'predictions';

export interface RetrainOptions {
  now: number;
  horizons?: Horizons;
  seed?: number;
  onStage?: (stage: RetrainStage) => void;
  signal?: AbortSignal;
}

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
  };
  ltv: {
    mae: number;
    /** MAE of "they will spend what they spent in the previous period". */
    baselineMae: number;
    ratioToBaseline: number;
    testCustomers: number;
  };
}

/** What a version stores: everything needed to predict again (a rollback) and to explain. */
export interface ScoresArtifact {
  asOf: number;
  horizons: Horizons;
  seed: number;
  categories: string[];
  churn: BoostedModel;
  /** BG/NBD fitted at training time (null when nobody had bought twice) and the trees' weight in the blend. */
  bgnbd?: BgnbdParams | null;
  blend?: number;
  calibration: IsotonicMap;
  ltv: BoostedModel;
  importance: { churn: { feature: string; weight: number }[]; ltv: { feature: string; weight: number }[] };
}

export interface Prediction {
  profileId: number;
  churn: number | null;
  ltv: number;
}

export interface Trained {
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

/** Deterministic position of a customer in [0, 1) for the split (train < 0.6 ≤ tune < 0.8 ≤ test). */
export function share(profileId: number, seed: number): number {
  let h = (profileId ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
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
  if (missing.length > 0)
    throw new AppError(
      'validation',
      `Not enough history to learn from yet: the models need ${missing.join(' and ')}. Import older sales or wait for more to come in.`,
    );

  step('churn');
  const parts = (set: FeatureSet, rows: number[]) => {
    const train: number[] = [];
    const tune: number[] = [];
    const test: number[] = [];
    for (const i of rows) {
      const s = share(set.profileIds[i] as number, seed);
      (s < 0.6 ? train : s < 0.8 ? tune : test).push(i);
    }
    return { train, tune, test };
  };
  const churnLabel = (i: number) => ((churnOutcomes.get(churnSet.profileIds[i] as number)?.purchases ?? 0) > 0 ? 0 : 1);
  const c = parts(churnSet, buyers);
  const churn = trainBoosted({
    ...TREE_PARAMS,
    seed,
    objective: 'logistic',
    featureNames: churnSet.names,
    rows: pick(churnSet.rows, c.train),
    labels: c.train.map(churnLabel),
    validation: { rows: pick(churnSet.rows, c.tune), labels: c.tune.map(churnLabel) },
  });
  // BG/NBD fitted on every buyer's history before the cutoff (no outcomes: nothing leaks). Its chance of no
  // purchase in the horizon is blended with the trees' score by the weight that ranks the tuning customers best:
  // on a shop where recency and frequency say it all (BG/NBD's own world) the blend leans on BG/NBD, which
  // small training sets cannot beat; where habits, categories or channels say more, on the trees.
  const bgnbd = fitChurnBgnbd(churnSet, buyers);
  const tuneLabels = c.tune.map(churnLabel);
  const tuneTrees = c.tune.map((i) => predict(churn, churnSet.rows[i] as Float64Array));
  const tuneBgnbd = c.tune.map((i) => bgnbdChurn(bgnbd, churnSet.rows[i] as Float64Array, horizons.churnDays));
  let blend = 1;
  if (bgnbd) {
    let best = -1;
    for (let step = 0; step <= 10; step++) {
      const w = step / 10;
      const score = auc(
        tuneTrees.map((t, k) => w * t + (1 - w) * (tuneBgnbd[k] as number)),
        tuneLabels,
      );
      if (score > best + 1e-9) {
        best = score;
        blend = w;
      }
    }
  }
  const blended = (row: Float64Array) =>
    blend * predict(churn, row) + (1 - blend) * bgnbdChurn(bgnbd, row, horizons.churnDays);
  const calibration = fitIsotonic(
    tuneTrees.map((t, k) => blend * t + (1 - blend) * (tuneBgnbd[k] as number)),
    tuneLabels,
  );
  const testScores = c.test.map((i) => calibratedScore(calibration, blended(churnSet.rows[i] as Float64Array)));
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
  };

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
  const artifact: ScoresArtifact = {
    asOf,
    horizons,
    seed,
    categories: churnSet.categories,
    churn,
    bgnbd,
    blend,
    calibration,
    ltv,
    importance: { churn: importance(churn), ltv: importance(ltv) },
  };
  return {
    artifact,
    metrics: {
      churn: churnMetrics,
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
    predictions: predictAll(db, brandId, artifact, asOf),
  };
}

/** Every customer scored by a version's models, from features as of `asOf`. */
export function predictAll(db: Database, brandId: number, artifact: ScoresArtifact, asOf: number): Prediction[] {
  const set = buildFeatures(db, brandId, asOf + 1, artifact.categories);
  return set.profileIds.map((profileId, i) => {
    const row = set.rows[i] as Float64Array;
    return {
      profileId,
      churn: set.buyer[i] ? churnProbability(artifact, row) : null,
      ltv: Math.max(0, Math.round(predict(artifact.ltv, row) * 100) / 100),
    };
  });
}

/** The deployed churn risk of a buyer's feature row: the blended score, calibrated. */
export function churnProbability(artifact: ScoresArtifact, row: Float64Array): number {
  return calibratedScore(artifact.calibration, churnScore(artifact, row));
}

/** The churn score before calibration: the trees' and BG/NBD's, blended as trained. */
export function churnScore(artifact: ScoresArtifact, row: Float64Array): number {
  const w = artifact.blend ?? 1;
  const trees = predict(artifact.churn, row);
  return w === 1 ? trees : w * trees + (1 - w) * bgnbdChurn(artifact.bgnbd ?? null, row, artifact.horizons.churnDays);
}

/**
 * Calibrated, with ties broken by the score itself: the calibration map is flat within a block, and customers the
 * model told apart should stay apart in the ranking (a millionth moves no probability anyone reads).
 */
function calibratedScore(map: IsotonicMap, score: number): number {
  return Math.min(1, Math.max(0, calibrate(map, score) + (score - 0.5) * 1e-6));
}

const FREQUENCY = FEATURE_NAMES.indexOf('frequency');
const RECENCY = FEATURE_NAMES.indexOf('recency_days');
const TENURE = FEATURE_NAMES.indexOf('tenure_days');

/** A buyer's BG/NBD summary in days from their feature row: repeat purchases, last purchase and age. */
function summary(row: Float64Array): BgnbdCustomer | undefined {
  const orders = row[FREQUENCY] ?? 0;
  const T = row[TENURE] ?? Number.NaN;
  const recency = row[RECENCY] ?? Number.NaN;
  if (!(orders > 0) || !Number.isFinite(T) || !Number.isFinite(recency)) return undefined;
  return { x: orders - 1, tx: Math.max(0, T - recency), T: Math.max(T, 1e-6) };
}

function fitChurnBgnbd(set: FeatureSet, buyers: number[]): BgnbdParams | null {
  const customers = buyers.map((i) => summary(set.rows[i] as Float64Array)).filter((c) => c !== undefined);
  try {
    return fitBgnbd(customers).params;
  } catch {
    // Nobody bought twice yet: the trees alone.
    return null;
  }
}

/** BG/NBD's chance that the customer buys nothing in the next `days`; 0.5 when it has nothing to say. */
function bgnbdChurn(params: BgnbdParams | null, row: Float64Array, days: number): number {
  const customer = summary(row);
  return params && customer ? pNoPurchase(params, customer, days) : 0.5;
}
