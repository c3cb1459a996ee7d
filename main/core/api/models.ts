/**
 * Handlers for `models.*`: the overview of the active version (with its
 * segments), the versions, retrain / follow / cancel, rollback, and one
 * customer's scores, next purchase and recommendations with the reasons
 * behind them.
 */
import { AppError } from '../../../shared/contract/errors';
import type { ModelsOverview, ModelVersionView } from '../../../shared/contract/models';
import { riskBandOf } from '../../../shared/risk-band';
import { getProfile, redirectOf } from '../db/repos/profiles';
import { startRetrain } from '../jobs/retrain-jobs';
import { schedulerOf } from '../jobs/scheduler';
import { featureLabel, reasonsFor } from '../ml/explain';
import { highIntentProducts } from '../ml/intent';
import { nextPurchaseView } from '../ml/learners/purchase-pattern';
import {
  activeRiskBands,
  activeSummary,
  churnHistogram,
  ltvHistogram,
  predictionOf,
  scoredCount,
  segmentOverview,
  type VersionFacts,
  versionFacts,
} from '../ml/predictions-read';
import { listVersions, type VersionRow } from '../ml/retrain/registry';
import { retrainOf } from '../ml/retrain/retrain-service';
import { FIXED_RISK_BANDS } from '../ml/retrain/risk-bands';
import { dataNow } from '../ml/retrain/train';
import { shopCurrency } from '../settings/shop-settings';
import { handlers } from './registry';

/** Features shown on the overview: the heaviest, which carry most of the weight. */
const IMPORTANCE_SHOWN = 10;

/** Interest worth telling the shop about on Customer 360: a view or two this week, a cart add this month. */
const INTEREST_SHOWN = { minScore: 10, limit: 5 };

const iso = (ms: number) => new Date(ms).toISOString();

function versionView(v: VersionRow, facts: VersionFacts | undefined): ModelVersionView {
  return {
    id: v.id,
    method: v.method,
    metrics: v.metrics,
    trainingRows: v.trainingRows,
    durationMs: v.durationMs,
    active: v.active,
    createdAt: iso(v.createdAt),
    asOf: iso(facts?.asOf ?? v.createdAt),
    horizons: facts?.horizons ?? { churnDays: 0, ltvDays: 0 },
  };
}

export const modelsHandlers = handlers({
  'models.overview': (_input, ctx): ModelsOverview => {
    const { db, brandId } = ctx;
    const active = activeSummary(db, brandId);
    const row = active ? listVersions(db, brandId).find((v) => v.id === active.id) : undefined;
    return {
      active: row ? versionView(row, active) : null,
      scored: active ? scoredCount(db, brandId) : 0,
      churnHistogram: active ? churnHistogram(db, brandId) : [],
      ltvHistogram: active ? ltvHistogram(db, brandId) : [],
      importance: (active?.importance ?? []).slice(0, IMPORTANCE_SHOWN).map((f) => ({
        feature: f.feature,
        label: featureLabel(f.feature, active?.categories ?? []),
        weight: f.weight,
      })),
      segments: active ? segmentOverview(db, brandId) : [],
      riskBands: activeRiskBands(db, brandId) ?? null,
      running: retrainOf(ctx).running(),
      checking: row !== undefined && retrainOf(ctx).checking(row.id),
    };
  },

  'models.versions': (_input, { db, brandId }) => {
    const facts = versionFacts(db, brandId);
    return listVersions(db, brandId).map((v) => versionView(v, facts.get(v.id)));
  },

  'models.segments': (_input, { db, brandId }) => segmentOverview(db, brandId),

  // Under the same claim as the nightly retrain and `constintel retrain` (jobs/retrain-jobs.ts).
  'models.retrain': (_input, ctx) => ({ jobId: startRetrain(retrainOf(ctx), schedulerOf(ctx).claims).jobId }),

  'models.job': ({ jobId }, ctx) => retrainOf(ctx).job(jobId),

  'models.cancel': ({ jobId }, ctx) => retrainOf(ctx).cancel(jobId),

  'models.activate': async ({ versionId }, ctx) => {
    await retrainOf(ctx).activate(versionId);
    return { ok: true };
  },

  'models.customer': ({ profileId }, ctx) => {
    const { db, brandId, clock } = ctx;
    // A merged-away id answers for the profile it went into, as the Customer 360 page does.
    const id = getProfile(db, profileId) ? profileId : redirectOf(db, profileId);
    if (id === undefined || !getProfile(db, id)) throw new AppError('not_found', `There is no customer #${profileId}.`);
    const row = predictionOf(db, id);
    const active = activeSummary(db, brandId);
    const scored = row !== undefined && (row.churnScore !== null || row.ltvScore !== null);
    const bands = activeRiskBands(db, brandId);
    return {
      churnScore: row?.churnScore ?? null,
      riskBand: riskBandOf(row?.churnScore ?? null, bands ?? FIXED_RISK_BANDS),
      riskBands: bands ?? null,
      ltvScore: row?.ltvScore ?? null,
      segment: row?.segment ?? null,
      method: row?.method ?? null,
      nextPurchase: row && active ? nextPurchaseView(row, active.horizons.ltvDays, active.asOf) : null,
      recommendations: row?.recommendations ?? [],
      interest: highIntentProducts(db, brandId, id, {
        now: clock.now().getTime(),
        minScore: INTEREST_SHOWN.minScore,
        limit: INTEREST_SHOWN.limit,
      }).map(({ product, title, score }) => ({ product, title, score })),
      modelVersion: row?.modelVersion ?? null,
      predictedAt: row ? iso(row.predictedAt) : null,
      reasons:
        scored && active
          ? reasonsFor({
              db,
              brandId: brandId,
              profileId: id,
              at: dataNow(db, brandId, clock.now().getTime(), active.horizons),
              currency: shopCurrency(ctx),
              importance: { churn: active.importance, ltv: active.ltvImportance },
            })
          : [],
    };
  },
});
