/**
 * Retraining as the app runs it: one retrain at a time, in its own thread (the
 * built `train-worker.js`, on its own connection to the data file) or, for a
 * data file held in memory or a run from sources, in this thread. Jobs are
 * kept in memory with their stage and result; Cancel works until saving has
 * begun. Rollbacks run the same way. The nightly retrain is a scheduled job
 * (jobs/retrain-jobs.ts) that calls `start`. A saved retrain is followed by
 * its backtest (`runBacktest`) in the same thread, after the job has completed:
 * the new scores are in use at once, the check adds to its metrics later.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorKind } from '../../../../shared/contract/errors';
import { RETRAIN_STAGES, type RetrainJobView } from '../../../../shared/contract/models';
import type { Clock, Logger } from '../../clock';
import type { Database } from '../../db/open';
import { appRoot } from '../../paths';
import { activateVersion } from './registry';
import { RETRAIN_SEED, type RetrainOutcome, type RetrainStepName, runBacktest, runRetrain } from './retrain-job';
import { RetrainCancelled } from './trained';
import { CONTROL, type RetrainWorkerData, type RetrainWorkerMessage } from './worker-protocol';

const WORKER_SCRIPT = join(appRoot(), 'dist', 'main', 'train-worker.js');
/** Finished jobs remembered for `models.job` (the versions themselves are in the data file). */
const KEEP_JOBS = 20;

export interface RetrainJob {
  id: number;
  status: RetrainJobView['status'];
  stage: RetrainStepName;
  /** Stages finished, of RETRAIN_STAGES.length. */
  finished: number;
  error: string | null;
  errorKind: ErrorKind | null;
  versionId: number | null;
  startedAt: number;
  finishedAt: number | null;
  outcome: RetrainOutcome | null;
  /** The backtest after a saved retrain: null when none runs (not saved). */
  check: 'running' | 'done' | 'failed' | null;
}

interface Running {
  job: RetrainJob;
  /** False when it is too late: the new version is being saved. */
  cancel(): boolean;
  /** The app is closing: stop now, whatever the stage (a save in hand rolls back). */
  stop(): void;
}

/** What retraining needs of the app: its data file, clock, log and shop, and a way to say every score changed. */
export interface RetrainHost {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly brandId: number;
  /** A retrain or a rollback rewrote every customer's scores (caches drop what they hold). */
  predictionsChanged(): void;
}

export class RetrainManager {
  private readonly jobs = new Map<number, RetrainJob>();
  private readonly waiters = new Map<number, ((job: RetrainJob) => void)[]>();
  private readonly watchers = new Set<(job: RetrainJob) => void>();
  private nextId = 1;
  private current: Running | undefined;
  private activation: { stop(): void } | undefined;
  /** Backtests still running (a worker's, or one waiting for this thread), by job id. */
  private readonly checks = new Map<number, { stop(): void }>();
  private readonly checkWaiters = new Map<number, (() => void)[]>();

  constructor(private readonly core: RetrainHost) {}

  private workerAvailable(): boolean {
    return this.core.db.file !== ':memory:' && existsSync(WORKER_SCRIPT);
  }

  /** Starts a retrain in the background and answers with its id; while one runs, answers with that one's id. */
  start(): { jobId: number } {
    if (this.current) return { jobId: this.current.job.id };
    if (this.activation)
      throw new AppError('conflict', 'An earlier version is being made active; retrain once that has finished.');
    const job: RetrainJob = {
      id: this.nextId++,
      status: 'running',
      stage: 'checking',
      finished: 0,
      error: null,
      errorKind: null,
      versionId: null,
      startedAt: this.core.clock.now().getTime(),
      finishedAt: null,
      outcome: null,
      check: null,
    };
    this.jobs.set(job.id, job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP_JOBS))) this.jobs.delete(id);
    if (this.workerAvailable()) this.runInWorker(job);
    else this.runHere(job);
    this.notify(job);
    return { jobId: job.id };
  }

  private runInWorker(job: RetrainJob): void {
    const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const flag = new Int32Array(control);
    const data: RetrainWorkerData = {
      task: 'train',
      databaseFile: this.core.db.file,
      brandId: this.core.brandId,
      now: job.startedAt,
      seed: RETRAIN_SEED,
      control,
    };
    const worker = new Worker(WORKER_SCRIPT, { workerData: data });
    worker.on('message', (message: RetrainWorkerMessage) => {
      switch (message.type) {
        case 'stage':
          this.stage(job, message.stage);
          break;
        case 'done':
          this.checks.set(job.id, { stop: () => void worker.terminate() });
          this.finish(job, { status: 'completed', outcome: message.outcome });
          break;
        case 'checked':
          if (message.failure) this.core.logger.error(`The backtest of retrain ${job.id} failed`, message.failure);
          this.checked(job, message.failure ? 'failed' : 'done');
          break;
        case 'cancelled':
          this.finish(job, { status: 'cancelled' });
          break;
        case 'error':
          // A fault (not a reason the shop can act on) goes to the log; the shop gets a plain sentence.
          if (message.kind === 'internal') this.crashed(job, message.message);
          else this.finish(job, { status: 'failed', error: message.message, errorKind: message.kind });
          break;
        default:
          break;
      }
    });
    worker.on('error', (error) => this.crashed(job, error));
    worker.on('exit', () => {
      this.crashed(job, undefined);
      if (job.check === 'running') this.checked(job, 'failed');
    });
    this.current = {
      job,
      cancel: () => {
        // Once the worker has begun saving it is left to finish: the shop then has the new version.
        if (Atomics.compareExchange(flag, 0, CONTROL.running, CONTROL.cancelRequested) === CONTROL.saving) return false;
        // Nothing has been written yet: the thread can go at once.
        void worker.terminate();
        this.finish(job, { status: 'cancelled' });
        return true;
      },
      stop: () => {
        Atomics.store(flag, 0, CONTROL.cancelRequested);
        void worker.terminate();
        this.finish(job, { status: 'cancelled' });
      },
    };
  }

  private runHere(job: RetrainJob): void {
    const controller = new AbortController();
    let saving = false;
    // The answer with the job's id goes out first; then training holds this thread until it is done.
    const timer = setImmediate(() => {
      try {
        const outcome = runRetrain(this.core.db, {
          brandId: this.core.brandId,
          now: job.startedAt,
          signal: controller.signal,
          onStage: (stage) => this.stage(job, stage),
          claimSave: () => {
            saving = !controller.signal.aborted;
            return saving;
          },
        });
        this.finish(job, { status: 'completed', outcome });
        const check = setImmediate(() => {
          try {
            runBacktest(this.core.db, this.core.brandId, outcome);
            this.checked(job, 'done');
          } catch (error) {
            this.core.logger.error(`The backtest of retrain ${job.id} failed`, error);
            this.checked(job, 'failed');
          }
        });
        this.checks.set(job.id, { stop: () => clearImmediate(check) });
      } catch (error) {
        if (error instanceof RetrainCancelled) this.finish(job, { status: 'cancelled' });
        else if (error instanceof AppError)
          this.finish(job, { status: 'failed', error: error.message, errorKind: error.kind });
        else this.crashed(job, error);
      }
    });
    this.current = {
      job,
      cancel: () => {
        if (saving) return false;
        controller.abort();
        return true;
      },
      stop: () => {
        clearImmediate(timer);
        controller.abort();
        this.finish(job, { status: 'cancelled' });
      },
    };
  }

  private crashed(job: RetrainJob, error: unknown): void {
    if (job.status !== 'running') return;
    this.core.logger.error(`Retrain ${job.id} stopped unexpectedly`, error);
    this.finish(job, {
      status: 'failed',
      error: 'The retrain stopped unexpectedly; the current scores were kept. Details are in the log.',
      errorKind: 'internal',
    });
  }

  private stage(job: RetrainJob, stage: RetrainStepName): void {
    if (job.status !== 'running') return;
    job.stage = stage;
    job.finished = RETRAIN_STAGES.indexOf(stage);
    this.notify(job);
  }

  private finish(
    job: RetrainJob,
    result: {
      status: Exclude<RetrainJob['status'], 'running'>;
      outcome?: RetrainOutcome;
      error?: string;
      errorKind?: ErrorKind;
    },
  ): void {
    if (job.status !== 'running') return;
    job.status = result.status;
    job.finishedAt = this.core.clock.now().getTime();
    if (result.outcome) {
      job.check = 'running';
      job.outcome = result.outcome;
      job.versionId = result.outcome.versionId;
      job.finished = RETRAIN_STAGES.length;
    }
    job.error = result.error ?? null;
    job.errorKind = result.errorKind ?? null;
    if (this.current?.job === job) this.current = undefined;
    if (result.status === 'completed') {
      this.core.predictionsChanged();
      this.core.logger.info(`Retrain ${job.id} saved model version ${job.versionId}.`);
    } else if (result.status === 'failed' && job.errorKind !== 'internal')
      this.core.logger.warn(`Retrain ${job.id} did not run: ${job.error}`);
    this.notify(job);
    for (const resolve of this.waiters.get(job.id) ?? []) resolve(job);
    this.waiters.delete(job.id);
  }

  private checked(job: RetrainJob, status: 'done' | 'failed'): void {
    if (job.check !== 'running') return;
    job.check = status;
    this.checks.delete(job.id);
    if (status === 'done') this.core.predictionsChanged();
    this.notify(job);
    for (const resolve of this.checkWaiters.get(job.id) ?? []) resolve();
    this.checkWaiters.delete(job.id);
  }

  /** Resolves when a completed job's backtest has been stored (or failed, or never ran). */
  waitForCheck(jobId: number): Promise<void> {
    if (this.get(jobId).check !== 'running') return Promise.resolve();
    return new Promise((resolve) => {
      this.checkWaiters.set(jobId, [...(this.checkWaiters.get(jobId) ?? []), resolve]);
    });
  }

  private notify(job: RetrainJob): void {
    for (const watcher of this.watchers) watcher(job);
  }

  /** Follows every job's changes (the CLI's progress); returns the way to stop following. */
  watch(watcher: (job: RetrainJob) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Resolves when the job has finished, however it finished. */
  wait(jobId: number): Promise<RetrainJob> {
    const job = this.get(jobId);
    if (job.status !== 'running') return Promise.resolve(job);
    return new Promise((resolve) => {
      this.waiters.set(jobId, [...(this.waiters.get(jobId) ?? []), resolve]);
    });
  }

  private get(jobId: number): RetrainJob {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('not_found', `There is no retrain #${jobId} since ConstIntel last started.`);
    return job;
  }

  job(jobId: number): RetrainJobView {
    return view(this.get(jobId));
  }

  /** Resolves when no backtest is running (one per saved retrain, in the background). */
  async checksFinished(): Promise<void> {
    while (this.checks.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Whether the backtest of the retrain that saved this version is still running. */
  checking(versionId: number): boolean {
    for (const jobId of this.checks.keys()) if (this.jobs.get(jobId)?.versionId === versionId) return true;
    return false;
  }

  /** The retrain running now, if any. */
  running(): RetrainJobView | null {
    return this.current ? view(this.current.job) : null;
  }

  cancel(jobId: number): { ok: boolean } {
    this.get(jobId);
    if (this.current?.job.id !== jobId) return { ok: false };
    return { ok: this.current.cancel() };
  }

  /** Rolls back to an earlier version: every customer is scored with it, in the training thread when there is one. */
  async activate(versionId: number): Promise<void> {
    if (this.current)
      throw new AppError('conflict', 'A retrain is running; wait for it to finish or cancel it, then roll back.');
    if (this.activation) throw new AppError('conflict', 'An earlier version is already being made active.');
    const now = this.core.clock.now().getTime();
    if (!this.workerAvailable()) {
      activateVersion(this.core.db, this.core.brandId, versionId, now);
      this.core.predictionsChanged();
      return;
    }
    const data: RetrainWorkerData = {
      task: 'activate',
      databaseFile: this.core.db.file,
      brandId: this.core.brandId,
      now,
      versionId,
    };
    const worker = new Worker(WORKER_SCRIPT, { workerData: data });
    this.activation = { stop: () => void worker.terminate() };
    try {
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (message: RetrainWorkerMessage) => {
          if (message.type === 'activated') resolve();
          else if (message.type === 'error') {
            if (message.kind === 'internal')
              this.core.logger.error(`Making version ${versionId} active failed`, message.message);
            reject(
              message.kind === 'internal'
                ? new AppError('internal', 'Making that version active failed; the scores were not changed.')
                : new AppError(message.kind, message.message),
            );
          }
        });
        worker.on('error', reject);
        worker.on('exit', () => reject(new AppError('unavailable', 'Making that version active was stopped.')));
      });
    } finally {
      this.activation = undefined;
    }
    this.core.predictionsChanged();
  }

  /** The app is closing: a retrain in hand stops (nothing half-saved: a save in hand rolls back). */
  stopAll(): void {
    this.current?.stop();
    this.activation?.stop();
    for (const [jobId, check] of this.checks) {
      check.stop();
      const job = this.jobs.get(jobId);
      if (job) this.checked(job, 'failed');
    }
  }
}

function view(job: RetrainJob): RetrainJobView {
  return {
    id: job.id,
    status: job.status,
    stage: job.stage,
    progress: job.status === 'completed' ? 1 : job.finished / RETRAIN_STAGES.length,
    error: job.error,
    versionId: job.versionId,
    startedAt: new Date(job.startedAt).toISOString(),
    finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
  };
}
