/**
 * Running an import's removal (undo-import.ts says what each step does): in the app, step after step between
 * answers, so the windows and listeners keep answering while a large import goes; from a terminal, to the end.
 * A removal the app was stopped in goes on at its next start (`resume`).
 */
import { rmSync } from 'node:fs';
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { jobsBeingRemoved, stopRemoval, takeRejectedFile } from '../db/repos/import-undo';
import { storageProblem } from '../db/storage-problem';
import { inTurn } from '../db/write-turns';
import { beginRemoval, removalStep } from './undo-import';

export interface RemovalHost {
  db: Database;
  brandId: number;
  now(): number;
  /** Customers whose details changed or who were removed. */
  changed(touched: number[]): void;
  /** A removal ended. */
  undone?(): void;
  logger: { error(message: string, error?: unknown): void };
}

export class Removals {
  private readonly active = new Set<number>();
  private stopped = false;

  constructor(private readonly host: RemovalHost) {}

  /** Starts removing the job (an error says why it cannot be) and goes on in the background. */
  start(jobId: number): void {
    const { db } = this.host;
    db.sqlite.transaction(() => beginRemoval(db, this.host.brandId, jobId, this.host.now())).immediate();
    void this.run(jobId);
  }

  /** Removals cut short when the app last stopped. */
  resume(): void {
    for (const jobId of jobsBeingRemoved(this.host.db, this.host.brandId)) void this.run(jobId);
  }

  /** The app is closing: no further steps (the removal goes on at the next start). */
  stop(): void {
    this.stopped = true;
  }

  private async run(jobId: number): Promise<void> {
    if (this.active.has(jobId)) return;
    this.active.add(jobId);
    try {
      for (;;) {
        if (this.stopped || !this.host.db.sqlite.open) return;
        let done: boolean;
        try {
          // In its turn at the write lock (write-turns.ts): this thread never waits on it.
          done = await inTurn(this.host.db, () => this.step(jobId), {
            later: true,
            maxWaitMs: Number.POSITIVE_INFINITY,
          });
        } catch (error) {
          if (this.stopped || !this.host.db.sqlite.open) return;
          this.host.logger.error(`Undoing import ${jobId} stopped`, error);
          this.giveUp(jobId, error);
          return;
        }
        if (done) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.active.delete(jobId);
    }
  }

  /** The removal cannot go on: the job is as it was, saying why (what went so far stays gone). */
  private giveUp(jobId: number, error: unknown): void {
    if (!this.host.db.sqlite.open) return;
    try {
      const why =
        error instanceof AppError
          ? error.message
          : (storageProblem(error, this.host.db.file)?.message ?? 'something unexpected went wrong (see the log).');
      stopRemoval(
        this.host.db,
        jobId,
        `Undoing it stopped: ${why.replace(/\.?$/, '.')} What was removed so far stays removed; undo it again to finish.`,
      );
    } catch {
      // Still shown as being removed: the next start goes on with it.
    }
  }

  /** One step; true when the removal is done. */
  private step(jobId: number): boolean {
    const { db } = this.host;
    const result = db.sqlite.transaction(() => removalStep(db, this.host.brandId, jobId, this.host.now())).immediate();
    if (result.touched.length > 0) this.host.changed(result.touched);
    // The rejected rows' file holds customers' details too: it goes with the import.
    if (result.done) {
      const rejected = takeRejectedFile(db, jobId);
      if (rejected) rmSync(rejected, { force: true });
      this.host.undone?.();
    }
    return result.done;
  }

  /** From a terminal: the whole removal, step after step, before returning. */
  runToEnd(jobId: number): void {
    const { db } = this.host;
    db.sqlite.transaction(() => beginRemoval(db, this.host.brandId, jobId, this.host.now())).immediate();
    try {
      while (!this.step(jobId)) {
        // Each step committed: a kill here leaves a removal the app finishes at its next start.
      }
    } catch (error) {
      this.giveUp(jobId, error);
      throw error;
    }
  }
}
