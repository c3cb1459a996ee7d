/** What the main thread and the training worker (main/train-worker.ts) say to each other. */
import type { ErrorKind } from '../../../../shared/contract/errors';
import type { RetrainOutcome, RetrainStepName } from './retrain-job';

/**
 * One Int32 shared by both threads, so a Cancel and the start of saving can never cross: whoever moves it off
 * RUNNING first wins (the main thread to CANCEL_REQUESTED, the worker to SAVING).
 */
export const CONTROL = { running: 0, cancelRequested: 1, saving: 2 } as const;

export type RetrainWorkerData =
  | {
      task: 'train';
      databaseFile: string;
      brandId: number;
      now: number;
      seed: number;
      control: SharedArrayBuffer;
    }
  | { task: 'activate'; databaseFile: string; brandId: number; now: number; versionId: number };

export type RetrainWorkerMessage =
  | { type: 'stage'; stage: RetrainStepName }
  | { type: 'done'; outcome: RetrainOutcome }
  /** The backtest after a saved retrain has been stored (or failed: why, for the log). */
  | { type: 'checked'; failure?: string }
  | { type: 'activated' }
  | { type: 'cancelled' }
  | { type: 'error'; kind: ErrorKind; message: string };
