/**
 * Small-shop mode, below the learned models' minimum data (train.ts): churn risk and predicted value come from the
 * purchase pattern (BG/NBD with Gamma-Gamma, learners/purchase-pattern.ts) fitted on every buyer, measured (when the
 * history allows) on the same time split; the version says which method it used. With too little even for that, the
 * shop is told what is missing, in numbers.
 */
import { AppError } from '../../../../shared/contract/errors';
import type { Database } from '../../db/open';
import { buildFeatures, outcomes } from '../features';
import { auc, brier, meanAbsoluteError, precisionAtTop } from '../learners/metrics';
import { bgnbdChurn, DROPOUT_PRIOR, fitBuyers, fitPattern, patternValue, summary } from '../learners/purchase-pattern';
import { buyerRows, finish, scoreSet } from './scoring';
import type { Horizons, RetrainOptions, RetrainStage, ScoreMetrics, SmallShopArtifact, Trained } from './trained';

const DAY = 86_400_000;

/**
 * The least small-shop mode predicts from: this many buyers, of whom this many came back on a later day than their
 * first purchase (BG/NBD learns how often people buy from repeat purchases spread over time).
 */
export const SMALL_SHOP_MINIMUM = { buyers: 10, repeatBuyers: 3 };

/** Small-shop measures need at least this many customers behind each figure (fewer say nothing). */
const SMALL_SHOP_MEASURE = { eachOutcome: 5, customers: 10 };

/**
 * Small-shop mode: the purchase pattern fitted on every buyer as of `asOf` is the model. It is measured the honest
 * way where the history allows: fitted on the history before the churn (value) cutoff, which uses no outcome, and
 * compared with what those customers did after it. Too few customers for a figure leaves it out (null).
 */
export function trainSmallShop(
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
