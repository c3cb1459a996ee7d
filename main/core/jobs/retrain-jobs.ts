/**
 * Retraining under the `models.retrain` claim, however it is started: the
 * nightly job, the Retrain button, `constintel retrain`. One claim for all
 * three is what keeps a retrain from the command line from running beside
 * the app's nightly one on the same data file (each would score every
 * customer, and the later save would silently win). The claim ends with the
 * retrain: the backtest that follows a saved one only adds figures to it, and
 * the Retrain button has always been free again once the retrain is done.
 */
import { AppError } from '../../../shared/contract/errors';
import type { EngineJob } from '../engine';
import type { RetrainManager } from '../ml/retrain/retrain-manager';
import { retrainOf } from '../ml/retrain/retrain-service';
import { readSettings } from '../settings/settings-store';
import type { JobClaims } from './claims';

export const RETRAIN_JOB = 'models.retrain';

/** Waits for the retrain; one that did not save is a failure with its reason. */
async function retrainResult(retrain: RetrainManager, jobId: number): Promise<string> {
  const job = await retrain.wait(jobId);
  if (job.status === 'cancelled') throw new AppError('conflict', 'The retrain was cancelled.');
  if (job.status !== 'completed') throw new AppError(job.errorKind ?? 'internal', job.error ?? 'The retrain failed.');
  return `Saved model version ${job.versionId}.`;
}

/** The nightly retrain: 03:00 in the shop's time zone, when ticked on the Models page. */
export const nightlyRetrainJob: EngineJob = {
  name: RETRAIN_JOB,
  description:
    'Retrain churn risk and predicted value from the latest sales: every night at 3:00 when ticked on the Models page. The Retrain button and constintel retrain show here too.',
  cron: '0 3 * * *',
  catchUp: true,
  enabled: (ctx) => readSettings(ctx.db).retrainNightly,
  run: (ctx) => {
    const retrain = retrainOf(ctx);
    // A retrain started by hand in this app holds the claim, so this runs only when none is going.
    return retrainResult(retrain, retrain.start().jobId);
  },
};

/**
 * A retrain started by hand (the Retrain button, the CLI): the one running in this app if there is one, else a new
 * one under the claim. `done` settles once the claim is released (the CLI waits for it before closing).
 */
export function startRetrain(retrain: RetrainManager, claims: JobClaims): { jobId: number; done: Promise<void> } {
  const running = retrain.running();
  if (running) return { jobId: running.id, done: retrain.wait(running.id).then(() => undefined) };
  if (claims.take(RETRAIN_JOB) !== 'taken')
    throw new AppError(
      'conflict',
      'ConstIntel is already retraining on this data file (the app, or constintel retrain in a terminal). Try again when it has finished.',
    );
  let jobId: number;
  try {
    jobId = retrain.start().jobId;
  } catch (error) {
    claims.release(RETRAIN_JOB, { result: 'failed', message: (error as Error).message });
    throw error;
  }
  const done = claims.hold(RETRAIN_JOB, () =>
    retrainResult(retrain, jobId).then((message) => ({ result: 'ok', message })),
  );
  return { jobId, done: done.then(() => undefined) };
}
