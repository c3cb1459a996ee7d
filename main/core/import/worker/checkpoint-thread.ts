/**
 * Checkpoints beside a big import (main/import-checkpointer.ts), so the
 * importing thread never stops to copy the write-ahead log into the data file.
 *
 * Inline, with the log checkpointed every IMPORT_CHECKPOINT_PAGES, those
 * copies were about a seventh of the importing thread's time on a 1M-row file
 * (45 stops of half a second each); the thread that commits is the one an
 * import waits for. The importing connection turns its automatic checkpoints
 * off and asks this thread for one every CHECKPOINT_EVERY_ROWS rows: it copies
 * what the log holds without waiting for any lock, and when it has copied it
 * all, the import's next commit starts the log again from its beginning, so
 * the log stays about as long as it did. Should the thread fail, the importing
 * connection checkpoints itself again as before.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from '../../db/open';
import { appRoot } from '../../paths';

/** The built checkpoint thread. */
export const CHECKPOINT_SCRIPT = join(appRoot(), 'dist', 'main', 'import-checkpointer.js');

export interface CheckpointData {
  databaseFile: string;
}

export type CheckpointMessage =
  | { type: 'checkpointed'; log: number; checkpointed: number }
  | { type: 'error'; message: string };

/** Rows committed between two requests: about as much log as IMPORT_CHECKPOINT_PAGES on a file of sales. */
export const CHECKPOINT_EVERY_ROWS = 20_000;

export class CheckpointThread {
  private readonly worker: Worker;
  private readonly exited: Promise<unknown>;
  private rowsSince = 0;
  /** The thread stopped or failed: the importing connection checkpoints itself. */
  private failed = false;
  /** Its checkpoint is done: what the import wrote since is copied at the next chunk's end, on its connection. */
  private copied = false;
  /** The thread cannot be relied on: the importing connection checkpoints itself again (once). */
  private readonly fail: () => void;

  constructor(
    script: string,
    private readonly db: Database,
    onFailed: () => void,
    private readonly everyRows = CHECKPOINT_EVERY_ROWS,
  ) {
    this.worker = new Worker(script, {
      workerData: { databaseFile: db.file } satisfies CheckpointData,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.fail = () => {
      if (this.failed) return;
      this.failed = true;
      onFailed();
    };
    this.worker.on('message', (message: CheckpointMessage) => {
      if (message.type === 'checkpointed') this.copied = true;
      else this.fail();
    });
    this.worker.on('error', this.fail);
    this.worker.on('exit', this.fail);
  }

  /**
   * After a chunk committed `rows` rows, outside any transaction: asks for a checkpoint every `everyRows`,
   * and once the thread has done one, copies what the import wrote meanwhile here (a chunk or two: the thread can
   * never copy the frames of a transaction still open, and the import is always in one), so the import's next
   * transaction finds the log all copied and starts it again.
   */
  committed(rows: number): void {
    if (this.copied) {
      this.copied = false;
      try {
        this.db.sqlite.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // The chunk is saved all the same (as with SQLite's own checkpoints, a failed copy loses nothing): the
        // connection goes back to checkpointing itself.
        this.fail();
      }
    }
    this.rowsSince += rows;
    if (this.failed || this.rowsSince < this.everyRows) return;
    this.rowsSince = 0;
    this.worker.postMessage({ type: 'checkpoint' });
  }

  /** Lets the checkpoint in hand finish, closes the thread's connection and ends it. */
  async stop(): Promise<void> {
    this.failed = true;
    this.worker.removeAllListeners('message');
    this.worker.removeAllListeners('error');
    // A late error as it stops must not go unheard and end the process.
    this.worker.on('error', () => {});
    this.worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void this.worker.terminate(), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
