/**
 * The model registry and the predictions table. Every retrain is a version
 * (its models, metrics, training size, duration and feature importance); one
 * version is active and its scores are in `predictions`, rewritten for every
 * customer in one transaction. Rolling back makes an older version active and
 * scores everyone with it again.
 */
import { AppError } from '../../../../shared/contract/errors';
import type { PredictionMethod } from '../../../../shared/contract/models';
import type { Database } from '../../db/open';
import { publish } from '../../streams/streams';
import type { SegmentModel } from '../learners/segments/model';
import { ALARM_LIMITS, type Backtest } from './checks';
import { predictAll } from './scoring';
import { dataNow } from './train';
import type { Prediction, ScoreMetrics, ScoresArtifact, Trained } from './trained';

/** `model_version.kind` of a retrain's churn and lifetime-value models (one version holds both). */
export const SCORES_KIND = 'scores';

export interface VersionRow {
  id: number;
  method: PredictionMethod;
  metrics: ScoreMetrics;
  trainingRows: number;
  durationMs: number;
  active: boolean;
  createdAt: number;
}

function writePredictions(db: Database, brandId: number, versionId: number, predictions: Prediction[], now: number) {
  // Everyone scored now is rewritten below; a row left over (a customer merged away since) is emptied.
  db.sqlite
    .prepare(
      // The scores before this retrain are kept beside the new ones: automations fire on a crossing, from below a
      // threshold to above it (automations/evaluate.ts), never on a first score.
      `UPDATE predictions SET prev_churn_score = churn_score, prev_segment = segment,
         churn_score = NULL, ltv_score = NULL, segment = NULL, recommendations = '[]',
         still_active = NULL, purchase_30d = NULL, purchase_90d = NULL, expected_purchases = NULL,
         next_purchase_at = NULL, model_version = ?, predicted_at = ? WHERE brand_id = ?`,
    )
    .run(versionId, now, brandId);
  const upsert = db.sqlite.prepare(
    `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, recommendations, still_active,
       purchase_30d, purchase_90d, expected_purchases, next_purchase_at, model_version, predicted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (profile_id) DO UPDATE SET churn_score = excluded.churn_score, ltv_score = excluded.ltv_score,
       segment = excluded.segment, recommendations = excluded.recommendations, still_active = excluded.still_active,
       purchase_30d = excluded.purchase_30d, purchase_90d = excluded.purchase_90d,
       expected_purchases = excluded.expected_purchases, next_purchase_at = excluded.next_purchase_at,
       model_version = excluded.model_version, predicted_at = excluded.predicted_at`,
  );
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  // Churn scores are stored at full precision: rounding would tie customers the model told apart.
  for (const p of predictions)
    upsert.run(
      p.profileId,
      brandId,
      p.churn,
      p.ltv,
      p.segment,
      JSON.stringify(p.recommendations),
      p.next ? round(p.next.stillActive) : null,
      p.next ? round(p.next.within30Days) : null,
      p.next ? round(p.next.within90Days) : null,
      p.next ? round(p.next.expectedPurchases) : null,
      p.next?.expectedAt ?? null,
      versionId,
      now,
    );
}

/** Stores a retrain as the active version and writes its predictions. */
export function saveVersion(db: Database, brandId: number, trained: Trained, durationMs: number, now: number): number {
  return db.sqlite
    .transaction(() => {
      db.sqlite
        .prepare('UPDATE model_version SET active = 0 WHERE brand_id = ? AND kind = ?')
        .run(brandId, SCORES_KIND);
      const id = Number(
        db.sqlite
          .prepare(
            `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
          )
          .run(
            brandId,
            SCORES_KIND,
            trained.method,
            JSON.stringify(trained.metrics),
            JSON.stringify(trained.artifact),
            trained.trainingRows,
            Math.round(durationMs),
            now,
          ).lastInsertRowid,
      );
      writePredictions(db, brandId, id, trained.predictions, now);
      publish(db, 'predictions.updated', { brandId, versionId: id, change: 'saved' }, now);
      return id;
    })
    .immediate();
}

export function listVersions(db: Database, brandId: number): VersionRow[] {
  const rows = db.sqlite
    .prepare(
      `SELECT id, method, metrics, training_rows, duration_ms, active, created_at FROM model_version
       WHERE brand_id = ? AND kind = ? ORDER BY id DESC`,
    )
    .all(brandId, SCORES_KIND) as {
    id: number;
    method: PredictionMethod;
    metrics: string;
    training_rows: number;
    duration_ms: number;
    active: number;
    created_at: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    method: r.method,
    metrics: JSON.parse(r.metrics) as ScoreMetrics,
    trainingRows: r.training_rows,
    durationMs: r.duration_ms,
    active: r.active === 1,
    createdAt: r.created_at,
  }));
}

/** The active version's segment model (read without loading the other models), for names kept across retrains. */
export function activeSegments(db: Database, brandId: number): SegmentModel | undefined {
  const json = db.sqlite
    .prepare(`SELECT artifact -> '$.segments' FROM model_version WHERE brand_id = ? AND kind = ? AND active = 1`)
    .pluck()
    .get(brandId, SCORES_KIND) as string | null | undefined;
  return json ? (JSON.parse(json) as SegmentModel) : undefined;
}

/** Makes an earlier version active again and scores every customer with it, on the data as it is now. */
export function activateVersion(db: Database, brandId: number, versionId: number, now: number): void {
  const row = db.sqlite
    .prepare('SELECT artifact FROM model_version WHERE id = ? AND brand_id = ? AND kind = ?')
    .get(versionId, brandId, SCORES_KIND) as { artifact: string } | undefined;
  if (!row) throw new AppError('not_found', `There is no model version ${versionId}.`);
  const artifact = JSON.parse(row.artifact) as ScoresArtifact;
  const predictions = predictAll(db, brandId, artifact, dataNow(db, brandId, now, artifact.horizons));
  db.sqlite
    .transaction(() => {
      db.sqlite
        .prepare('UPDATE model_version SET active = (id = ?) WHERE brand_id = ? AND kind = ?')
        .run(versionId, brandId, SCORES_KIND);
      writePredictions(db, brandId, versionId, predictions, now);
      publish(db, 'predictions.updated', { brandId, versionId, change: 'activated' }, now);
    })
    .immediate();
}

/**
 * Stores a version's backtest with its metrics and, when the backtest's AUC and the in-app one disagree by more than
 * ALARM_LIMITS.backtestGap, an alarm the Models page shows.
 */
export function recordBacktest(db: Database, versionId: number, backtest: Backtest | null): void {
  db.sqlite
    .transaction(() => {
      const json = db.sqlite.prepare('SELECT metrics FROM model_version WHERE id = ?').pluck().get(versionId) as
        | string
        | undefined;
      if (json === undefined) return;
      const metrics = JSON.parse(json) as ScoreMetrics;
      const alarms = (metrics.alarms ?? []).filter((a) => a.kind !== 'backtest');
      const inApp = metrics.churn?.auc;
      if (backtest && inApp !== undefined && Math.abs(backtest.auc - inApp) > ALARM_LIMITS.backtestGap)
        alarms.push({
          kind: 'backtest',
          message: `Checked on the past, the churn scores ranked customers with an AUC of ${backtest.auc.toFixed(3)}, against ${inApp.toFixed(3)} on the customers held out this time. Figures that far apart mean the scores are less certain than they look.`,
        });
      db.sqlite
        .prepare('UPDATE model_version SET metrics = ? WHERE id = ?')
        .run(JSON.stringify({ ...metrics, alarms, backtest }), versionId);
    })
    .immediate();
}
