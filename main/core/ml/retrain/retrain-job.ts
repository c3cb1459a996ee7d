/**
 * One retrain from start to saved version, the same in the training thread and
 * in this one: train on the shop's history, check the models could be
 * measured, then store the version and rewrite every customer's scores in one
 * transaction. Saving starts only when `claimSave` says the retrain was not
 * cancelled first; nothing is written before that.
 */

import { AppError } from '../../../../shared/contract/errors';
import type { PredictionMethod, RETRAIN_STAGES } from '../../../../shared/contract/models';
import type { Database } from '../../db/open';
import { readSettings } from '../../settings/settings-store';
import { outcomes } from '../features';
import { auc } from '../learners/metrics';
import type { Backtest } from './checks';
import { activeSegments, recordBacktest, saveVersion } from './registry';
import { train } from './train';
import { type Horizons, RetrainCancelled, type ScoreMetrics } from './trained';

const DAY = 86_400_000;

export type RetrainStepName = (typeof RETRAIN_STAGES)[number];

/** Every retrain uses the same seed, so the same history gives the same models and scores. */
export const RETRAIN_SEED = 1;

export interface RetrainOutcome {
  versionId: number;
  /** What the backtest needs: the version's date and horizons. */
  asOf: number;
  horizons: Horizons;
  method: PredictionMethod;
  metrics: ScoreMetrics;
  trainingRows: number;
  durationMs: number;
}

export interface RetrainRun {
  brandId: number;
  now: number;
  seed?: number;
  signal?: AbortSignal;
  onStage?: (stage: RetrainStepName) => void;
  /** Called once just before writing; false means the retrain was cancelled and nothing is saved. */
  claimSave?: () => boolean;
}

/** Metrics that could not be worked out (NaN: one outcome only among the measured customers, none to measure). */
function unmeasured(metrics: ScoreMetrics): string[] {
  const all: [string, number][] = [
    ...Object.entries(metrics.churn ?? {}).map(([k, v]): [string, number] => [`churn ${k}`, v]),
    ...Object.entries(metrics.ltv ?? {}).map(([k, v]): [string, number] => [`value ${k}`, v]),
  ];
  return all.filter(([, v]) => !Number.isFinite(v)).map(([k]) => k);
}

export function runRetrain(db: Database, run: RetrainRun): RetrainOutcome {
  const started = performance.now();
  // The horizons are the shop's (Settings → Predictions); the worker reads them on its own connection.
  const settings = readSettings(db);
  const previous = activeSegments(db, run.brandId);
  const trained = train(db, run.brandId, {
    now: run.now,
    horizons: { churnDays: settings.churnHorizonDays, ltvDays: settings.valueHorizonDays },
    seed: run.seed ?? RETRAIN_SEED,
    ...(previous ? { previousSegments: previous } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.onStage ? { onStage: run.onStage } : {}),
  });
  // Learned models must be measurable; small-shop mode leaves out (null) what its history cannot measure.
  const missing = trained.method === 'trees' ? unmeasured(trained.metrics) : [];
  if (missing.length > 0)
    throw new AppError(
      'validation',
      `The new models could not be checked on customers they never saw (${missing.join(', ')} could not be worked out), so the current scores were kept. This usually means too few customers yet; import older sales or wait for more to come in.`,
    );
  if (run.signal?.aborted) throw new RetrainCancelled();
  run.onStage?.('saving');
  if (run.claimSave && !run.claimSave()) throw new RetrainCancelled();
  const durationMs = performance.now() - started;
  const versionId = saveVersion(db, run.brandId, trained, durationMs, run.now);
  return {
    versionId,
    asOf: trained.artifact.asOf,
    horizons: trained.artifact.horizons,
    method: trained.method,
    metrics: trained.metrics,
    trainingRows: trained.trainingRows,
    durationMs: Math.round(durationMs),
  };
}

/**
 * The backtest (issue 13): the whole retrain procedure run again as if it were one churn horizon earlier — on the
 * history before that date only — and the churn probabilities it would have stored then checked against what the
 * customers did in the horizon since. The in-app figure is measured on held-out customers at the same kind of
 * date; the two should agree, and the version is marked with an alarm when they do not. Null when the history
 * one horizon back is too short for a retrain. Stored with the version's metrics.
 */
export function runBacktest(
  db: Database,
  brandId: number,
  outcome: Pick<RetrainOutcome, 'versionId' | 'asOf' | 'horizons'>,
  seed = RETRAIN_SEED,
): Backtest | null {
  const at = outcome.asOf - outcome.horizons.churnDays * DAY;
  let backtest: Backtest | null = null;
  try {
    const earlier = train(db, brandId, { now: at, horizons: outcome.horizons, seed, scoresOnly: true });
    // Features count events before `at + 1` (train scores as of its asOf + 1), so what follows starts there.
    const after = outcomes(db, brandId, at + 1, outcome.asOf + 1);
    const scored = earlier.predictions.filter((p) => p.churn !== null);
    const labels = scored.map((p) => ((after.get(p.profileId)?.purchases ?? 0) > 0 ? 0 : 1));
    const churned = labels.reduce<number>((a, b) => a + b, 0);
    if (churned > 0 && churned < labels.length)
      backtest = {
        asOf: at,
        auc: auc(
          scored.map((p) => p.churn as number),
          labels,
        ),
        churnRate: churned / labels.length,
        customers: labels.length,
      };
  } catch (error) {
    if (!(error instanceof AppError && error.kind === 'validation')) throw error;
  }
  recordBacktest(db, outcome.versionId, backtest);
  return backtest;
}
