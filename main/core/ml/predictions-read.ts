/**
 * Reading the predictions table and the versions (retrain/registry.ts writes them): one customer's
 * scores, the score distributions for the Models page, and every scored
 * customer with their main email and phone for an export.
 */

import type { RiskBandsView } from '../../../shared/contract/customers';
import type { PredictionMethod, RecommendationView, SegmentView } from '../../../shared/contract/models';
import { MAX_TOTAL } from '../../../shared/limits';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { segmentNames } from './learners/segments/naming';
import { activeSegments, SCORES_KIND } from './retrain/registry';
import { FIXED_RISK_BANDS, type RiskBands } from './retrain/risk-bands';

export interface PredictionRow {
  churnScore: number | null;
  ltvScore: number | null;
  segment: string | null;
  recommendations: RecommendationView[];
  stillActive: number | null;
  purchase30d: number | null;
  purchase90d: number | null;
  expectedPurchases: number | null;
  nextPurchaseAt: number | null;
  modelVersion: number | null;
  /** The method of the version that wrote the row. */
  method: PredictionMethod | null;
  predictedAt: number;
}

export interface Bin {
  from: number;
  to: number;
  customers: number;
}

export function predictionOf(db: Database, profileId: number): PredictionRow | undefined {
  const row = stmt(
    db,
    `SELECT pr.churn_score AS churnScore, pr.ltv_score AS ltvScore, pr.segment, pr.recommendations,
            pr.still_active AS stillActive, pr.purchase_30d AS purchase30d, pr.purchase_90d AS purchase90d,
            pr.expected_purchases AS expectedPurchases, pr.next_purchase_at AS nextPurchaseAt,
            pr.model_version AS modelVersion, mv.method, pr.predicted_at AS predictedAt
     FROM predictions pr LEFT JOIN model_version mv ON mv.id = pr.model_version WHERE pr.profile_id = ?`,
  ).get(profileId) as (Omit<PredictionRow, 'recommendations'> & { recommendations: string }) | undefined;
  if (!row) return undefined;
  const recommendations = (JSON.parse(row.recommendations) as RecommendationView[]).map((r) => ({
    product: r.product,
    title: r.title,
    reason: r.reason,
  }));
  return { ...row, recommendations };
}

/**
 * The active version's segments as they stand in the predictions table: customers, share, average predicted value
 * and average spend so far, in the model's display order ("Not bought yet" last). Empty segments are left out.
 */
export function segmentOverview(db: Database, brandId: number): SegmentView[] {
  const model = activeSegments(db, brandId);
  if (!model) return [];
  const rows = stmt(
    db,
    `SELECT pr.segment AS name, count(*) AS customers, avg(pr.ltv_score) AS averageValue,
            avg(max(min(p.lifetime_value, ${MAX_TOTAL}), ${-MAX_TOTAL})) AS averageSpend
     FROM predictions pr JOIN customer_profile p ON p.id = pr.profile_id
     WHERE pr.brand_id = ? AND pr.segment IS NOT NULL GROUP BY pr.segment`,
  ).all(brandId) as { name: string; customers: number; averageValue: number | null; averageSpend: number | null }[];
  const byName = new Map(rows.map((r) => [r.name, r]));
  const total = rows.reduce((sum, r) => sum + r.customers, 0);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
  return segmentNames(model).flatMap(({ name, description }) => {
    const row = byName.get(name);
    if (!row) return [];
    return [
      {
        name,
        description,
        customers: row.customers,
        share: total > 0 ? row.customers / total : 0,
        averageValue: round(row.averageValue),
        averageSpend: round(row.averageSpend),
      },
    ];
  });
}

/** Customers with a score (a churn risk or a predicted value). */
export function scoredCount(db: Database, brandId: number): number {
  return stmt(
    db,
    'SELECT count(*) FROM predictions WHERE brand_id = ? AND (churn_score IS NOT NULL OR ltv_score IS NOT NULL)',
  )
    .pluck()
    .get(brandId) as number;
}

const CHURN_BINS = 10;

/** Churn scores in ten bins of 0.1 (a score of exactly 1 goes in the last). */
export function churnHistogram(db: Database, brandId: number): Bin[] {
  const counts = new Map(
    (
      stmt(
        db,
        `SELECT min(CAST(churn_score * ${CHURN_BINS} AS INTEGER), ${CHURN_BINS - 1}) AS bin, count(*) AS n
         FROM predictions WHERE brand_id = ? AND churn_score IS NOT NULL GROUP BY bin`,
      ).all(brandId) as { bin: number; n: number }[]
    ).map((r) => [r.bin, r.n]),
  );
  return Array.from({ length: CHURN_BINS }, (_, i) => ({
    from: i / CHURN_BINS,
    to: (i + 1) / CHURN_BINS,
    customers: counts.get(i) ?? 0,
  }));
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `value`: bin widths people can read. */
function niceStep(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}

const LTV_BINS = 10;

/**
 * Predicted values in ten bins: nine of one readable width from 0 up to the 95th percentile, and a last bin from
 * there to the highest value (the few big spenders would otherwise squeeze everyone else into one bar).
 */
export function ltvHistogram(db: Database, brandId: number): Bin[] {
  const values = stmt(
    db,
    'SELECT ltv_score FROM predictions WHERE brand_id = ? AND ltv_score IS NOT NULL ORDER BY ltv_score',
  )
    .pluck()
    .all(brandId) as number[];
  if (values.length === 0) return [];
  const p95 = values[Math.min(values.length - 1, Math.floor(0.95 * (values.length - 1)))] as number;
  const max = values[values.length - 1] as number;
  const width = niceStep(p95 / (LTV_BINS - 1));
  const bins: Bin[] = Array.from({ length: LTV_BINS }, (_, i) => ({
    from: i * width,
    to: i === LTV_BINS - 1 ? Math.max(max, (i + 1) * width) : (i + 1) * width,
    customers: 0,
  }));
  for (const v of values) {
    const bin = bins[Math.min(LTV_BINS - 1, Math.max(0, Math.floor(v / width)))] as Bin;
    bin.customers += 1;
  }
  return bins;
}

export interface ExportRow {
  profileId: number;
  email: string | null;
  phone: string | null;
  churnScore: number | null;
  ltvScore: number | null;
  segment: string | null;
  modelVersion: number | null;
}

/** Every customer with a score or a segment, in profile order, each with the email and phone they were first known by. */
export function exportRows(db: Database, brandId: number): IterableIterator<ExportRow> {
  return db.sqlite
    .prepare(
      `SELECT pr.profile_id AS profileId,
         (SELECT value FROM profile_identifier WHERE profile_id = pr.profile_id AND type = 'email' ORDER BY first_seen_at, id LIMIT 1) AS email,
         (SELECT value FROM profile_identifier WHERE profile_id = pr.profile_id AND type = 'phone' ORDER BY first_seen_at, id LIMIT 1) AS phone,
         pr.churn_score AS churnScore, pr.ltv_score AS ltvScore, pr.segment, pr.model_version AS modelVersion
       FROM predictions pr
       WHERE pr.brand_id = ? AND (pr.churn_score IS NOT NULL OR pr.ltv_score IS NOT NULL OR pr.segment IS NOT NULL)
       ORDER BY pr.profile_id`,
    )
    .iterate(brandId) as IterableIterator<ExportRow>;
}

export interface VersionFacts {
  asOf: number;
  horizons: { churnDays: number; ltvDays: number };
}

/** When each version's predictions were made as of, and its horizons, read without loading the models. */
export function versionFacts(db: Database, brandId: number): Map<number, VersionFacts> {
  const rows = stmt(
    db,
    `SELECT id, artifact ->> '$.asOf' AS asOf, artifact -> '$.horizons' AS horizons
     FROM model_version WHERE brand_id = ? AND kind = ?`,
  ).all(brandId, SCORES_KIND) as { id: number; asOf: number; horizons: string }[];
  return new Map(
    rows.map((r) => [r.id, { asOf: r.asOf, horizons: JSON.parse(r.horizons) as VersionFacts['horizons'] }]),
  );
}

export interface ActiveSummary extends VersionFacts {
  id: number;
  categories: string[];
  /** The churn model's features, heaviest first. */
  importance: { feature: string; weight: number }[];
  /** The value model's features, heaviest first. */
  ltvImportance: { feature: string; weight: number }[];
}

/** What the overview and the reasons need of the active version (its models stay unread). */
export function activeSummary(db: Database, brandId: number): ActiveSummary | undefined {
  const row = stmt(
    db,
    `SELECT id, artifact ->> '$.asOf' AS asOf, artifact -> '$.horizons' AS horizons,
            artifact -> '$.categories' AS categories, artifact -> '$.importance.churn' AS importance,
            artifact -> '$.importance.ltv' AS ltvImportance
     FROM model_version WHERE brand_id = ? AND kind = ? AND active = 1`,
  ).get(brandId, SCORES_KIND) as
    | {
        id: number;
        asOf: number;
        horizons: string;
        categories: string | null;
        importance: string | null;
        ltvImportance: string | null;
      }
    | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    asOf: row.asOf,
    horizons: JSON.parse(row.horizons) as VersionFacts['horizons'],
    categories: row.categories ? (JSON.parse(row.categories) as string[]) : [],
    importance: row.importance ? (JSON.parse(row.importance) as ActiveSummary['importance']) : [],
    ltvImportance: row.ltvImportance ? (JSON.parse(row.ltvImportance) as ActiveSummary['ltvImportance']) : [],
  };
}

/**
 * The active version's churn risk bands: its own thresholds, or the old fixed ones for a version saved before they
 * were stored; undefined before the first retrain. Read once per request, never per customer: it reads the version.
 */
export function activeRiskBands(db: Database, brandId: number): RiskBandsView | undefined {
  const row = stmt(
    db,
    `SELECT artifact -> '$.riskBands' AS bands FROM model_version WHERE brand_id = ? AND kind = ? AND active = 1`,
  ).get(brandId, SCORES_KIND) as { bands: string | null } | undefined;
  if (!row) return undefined;
  if (!row.bands) return { ...FIXED_RISK_BANDS };
  const { baseRate, high, low } = JSON.parse(row.bands) as RiskBands;
  return { baseRate, high, low };
}
