/**
 * The storage problem in force for a backend (disk full, read-only, failing, damaged), for the Dashboard: recorded
 * by whatever write failed, cleared by the next write that succeeds.
 */
import { defineService, type EngineContext } from '../context';
import { isStorageError, type StorageProblem, storageProblem } from './storage-problem';

export interface StorageHealth {
  /** The problem in force, if the last write failed for one; with when it was first seen (ms). */
  readonly current: (StorageProblem & { since: number }) | undefined;
  /** Records the error if it is a storage problem; answers the problem (for the 503), or undefined. */
  failed(error: unknown): StorageProblem | undefined;
  /** A write succeeded: whatever was wrong is over. */
  ok(): void;
}

export const storageHealthOf = defineService((ctx: EngineContext): StorageHealth => {
  let current: (StorageProblem & { since: number }) | undefined;
  return {
    get current() {
      return current;
    },
    failed(error) {
      if (!isStorageError(error)) return undefined;
      const problem = storageProblem(error, ctx.db.file);
      if (!problem) return undefined;
      if (current?.kind !== problem.kind) {
        current = { ...problem, since: ctx.clock.now().getTime() };
        ctx.logger.error(problem.message, error);
      }
      return problem;
    },
    ok() {
      if (current) ctx.logger.info('The data file can be written again.');
      current = undefined;
    },
  };
});
