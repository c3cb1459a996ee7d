/**
 * What the other engines (automations, journeys, channels) read of the ML engine: one customer's or many customers'
 * - churn risk: the probability the active version stored and its band (High / Medium / Low) by that version's lines;
 * - predicted value over the value horizon; the segment; the next purchase (chance still a customer, within 30 and 90
 *   days, the expected date);
 * - intent: the products they showed interest in lately (cart adds, views, matching searches) and have not bought
 *   since, strongest first, worked out from their events as of `now`, so it moves between retrains;
 * - recommendations: what they are likely to buy next, each with a reason.
 * These are exactly the figures Customer 360 shows (`models.customer`), read the same way: the predictions table
 * (predictions-read.ts), the active version's risk bands, and intent.ts. Nothing here loads a model or trains.
 *
 * An engine reads scores here, never from the predictions table or retrain/ (ARCHITECTURE.md). The scores change all
 * at once when a retrain is saved or a version activated; read them again then. A customer with no prediction (nobody
 * is scored before the first retrain; a merged-away id: resolve merges through identity first) has nulls and empty
 * lists. Cost: a few indexed reads per customer; `signalsForMany` reads the active version once for the batch.
 */
import type { RiskLevel } from '../../../shared/contract/customers';
import type { NextPurchase, RecommendationView } from '../../../shared/contract/models';
import { riskBandOf } from '../../../shared/risk-band';
import type { Database } from '../db/open';
import { highIntentProducts } from './intent';
import { nextPurchaseView } from './learners/purchase-pattern';
import { type ActiveSummary, activeRiskBands, activeSummary, predictionOf } from './predictions-read';
import { FIXED_RISK_BANDS } from './retrain/risk-bands';

export interface CustomerSignals {
  profileId: number;
  /** Null for a customer who has not bought (churn is defined for buyers) or has no prediction. */
  churn: { probability: number; band: RiskLevel } | null;
  predictedValue: number | null;
  segment: string | null;
  nextPurchase: NextPurchase | null;
  /** Strongest first; at most `intent.limit`, none below `intent.minScore`. */
  intent: { product: string; title: string; score: number }[];
  recommendations: RecommendationView[];
  /** The version that wrote the prediction. */
  modelVersion: number | null;
}

export interface SignalOptions {
  /** Epoch ms that intent is worked out as of (the engine's clock). */
  now: number;
  /** Intent kept: Customer 360's by default (a view or two this week, a cart add this month; five products). */
  intent?: { minScore?: number; limit?: number };
}

const DEFAULT_INTENT = { minScore: 10, limit: 5 };

interface Active {
  bands: { high: number; low: number };
  summary: ActiveSummary | undefined;
}

function readActive(db: Database, brandId: number): Active {
  return { bands: activeRiskBands(db, brandId) ?? FIXED_RISK_BANDS, summary: activeSummary(db, brandId) };
}

function read(
  db: Database,
  brandId: number,
  profileId: number,
  active: Active,
  options: SignalOptions,
): CustomerSignals {
  const row = predictionOf(db, profileId);
  const probability = row?.churnScore ?? null;
  const band = riskBandOf(probability, active.bands);
  const intent = {
    minScore: options.intent?.minScore ?? DEFAULT_INTENT.minScore,
    limit: options.intent?.limit ?? DEFAULT_INTENT.limit,
  };
  return {
    profileId,
    churn: probability === null || band === null ? null : { probability, band },
    predictedValue: row?.ltvScore ?? null,
    segment: row?.segment ?? null,
    nextPurchase:
      row && active.summary ? nextPurchaseView(row, active.summary.horizons.ltvDays, active.summary.asOf) : null,
    intent: highIntentProducts(db, brandId, profileId, { now: options.now, ...intent }).map(
      ({ product, title, score }) => ({ product, title, score }),
    ),
    recommendations: row?.recommendations ?? [],
    modelVersion: row?.modelVersion ?? null,
  };
}

/** One customer's scores (see the header). */
export function signalsFor(db: Database, brandId: number, profileId: number, options: SignalOptions): CustomerSignals {
  return read(db, brandId, profileId, readActive(db, brandId), options);
}

/** Several customers' scores, by profile id, each as `signalsFor` gives it. */
export function signalsForMany(
  db: Database,
  brandId: number,
  profileIds: Iterable<number>,
  options: SignalOptions,
): Map<number, CustomerSignals> {
  const active = readActive(db, brandId);
  const result = new Map<number, CustomerSignals>();
  for (const id of profileIds) if (!result.has(id)) result.set(id, read(db, brandId, id, active, options));
  return result;
}
