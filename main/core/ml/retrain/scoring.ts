/**
 * Scoring with a version's models: churn risk (the trees' and BG/NBD's scores blended and calibrated, or the purchase
 * pattern's in small-shop mode), predicted value and next purchase for every customer; after a retrain, the shop's
 * risk bands, segments and recommendations (`finish`); on a rollback, every customer scored again (`predictAll`).
 */
import type { Database } from '../../db/open';
import { BGNBD_FEATURE_NAMES, FEATURE_NAMES } from '../feature-names';
import { buildFeatures, type FeatureSet } from '../features';
import { type BgnbdParams, expectedPurchases, pAlive, pNoPurchase } from '../learners/btyd/bgnbd';
import { probability } from '../learners/calibration';
import type { CoPurchaseModel } from '../learners/co-purchase/similarity';
import { bgnbdChurn, nextPurchase, patternValue, summary } from '../learners/purchase-pattern';
import { assignSegment, fitSegments } from '../learners/segments/segments';
import { predict } from '../learners/trees/predictor';
import { buildAndRecommend, recommendAll } from '../recommendations';
import { fitRiskBands } from './risk-bands';
import type { Prediction, RetrainOptions, RetrainStage, ScoresArtifact, TreesArtifact } from './trained';

export const buyerRows = (set: FeatureSet) => set.rows.filter((_, i) => set.buyer[i]);

/**
 * Both modes end here: every customer scored, the shop's risk bands set from the buyers' churn risk, then segments
 * fitted on the same rows (names kept from the previous version's; nobody at High risk or long overdue keeps a name
 * that says they buy now), then recommendations from the co-purchases before `asOf`. The artifact keeps the bands
 * and both models.
 */
export function finish(
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
export function scoreSet(artifact: ScoresArtifact, set: FeatureSet): Prediction[] {
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
export type ChurnModel = Pick<TreesArtifact, 'horizons' | 'churn' | 'bgnbd' | 'blend' | 'calibration'>;

/** The deployed churn risk of a buyer's feature row: the blended score, calibrated (or the purchase pattern's). */
export function churnProbability(artifact: ScoresArtifact, row: Float64Array): number {
  if (artifact.method === 'bgnbd') return bgnbdChurn(artifact.pattern.bgnbd, row, artifact.horizons.churnDays);
  return treesChurnProbability(artifact, row);
}

export function treesChurnProbability(model: ChurnModel, row: Float64Array): number {
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
export function churnRowOf(params: BgnbdParams | null, row: Float64Array, days: number): Float64Array {
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
