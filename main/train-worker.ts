/**
 * Model work in its own thread, so the windows and the webhook listener keep
 * answering while the shop's history is learned from. It opens its own
 * connection to the data file and runs one task: a retrain (reporting each
 * stage, then the saved version) or a rollback (scoring every customer with an
 * older version). After a retrain is saved, the thread runs its backtest
 * (retrain-job.ts `runBacktest`) before it ends. Training runs without a break in this thread, so Cancel is
 * read from memory shared with the main thread rather than from a message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../shared/contract/errors';
import { openDatabase } from './core/db/open';
import { activateVersion } from './core/ml/retrain/registry';
import { runBacktest, runRetrain } from './core/ml/retrain/retrain-job';
import { RetrainCancelled } from './core/ml/retrain/trained';
import { CONTROL, type RetrainWorkerData, type RetrainWorkerMessage } from './core/ml/retrain/worker-protocol';

const data = workerData as RetrainWorkerData;
const port = parentPort;
if (!port) throw new Error('train-worker runs only as a worker thread');
const send = (message: RetrainWorkerMessage) => port.postMessage(message);

const db = openDatabase(data.databaseFile);
try {
  if (data.task === 'activate') {
    activateVersion(db, data.brandId, data.versionId, data.now);
    send({ type: 'activated' });
  } else {
    const control = new Int32Array(data.control);
    // train() reads only `aborted` between its stages: here that is the shared flag.
    const signal = new AbortController().signal;
    Object.defineProperty(signal, 'aborted', { get: () => Atomics.load(control, 0) === CONTROL.cancelRequested });
    const outcome = runRetrain(db, {
      brandId: data.brandId,
      now: data.now,
      seed: data.seed,
      signal,
      onStage: (stage) => send({ type: 'stage', stage }),
      claimSave: () => Atomics.compareExchange(control, 0, CONTROL.running, CONTROL.saving) === CONTROL.running,
    });
    send({ type: 'done', outcome });
    // The backtest runs after the new version is saved and in use; it only adds to that version's metrics.
    try {
      runBacktest(db, data.brandId, outcome, data.seed);
      send({ type: 'checked' });
    } catch (error) {
      send({ type: 'checked', failure: (error as Error).stack ?? String(error) });
    }
  }
} catch (error) {
  if (error instanceof RetrainCancelled) send({ type: 'cancelled' });
  else if (error instanceof AppError) send({ type: 'error', kind: error.kind, message: error.message });
  else send({ type: 'error', kind: 'internal', message: (error as Error).stack ?? String(error) });
} finally {
  db.close();
  port.close();
}
