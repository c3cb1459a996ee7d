/**
 * A connection that only copies the write-ahead log back into the data file
 * (SQLite's checkpoint), for a thread of its own: a big import's own
 * connection then never stops to do it (see import/worker/checkpoint-thread.ts).
 *
 * It opens the file as it is (no migrations, no settings written) and runs
 * PASSIVE checkpoints, which never wait for a lock: whatever a reader or the
 * writer still needs stays in the log for the next one.
 */
import Sqlite from 'better-sqlite3';

export interface CheckpointResult {
  /** Frames in the write-ahead log. */
  log: number;
  /** Of them, copied into the data file. */
  checkpointed: number;
}

export interface CheckpointConnection {
  passive(): CheckpointResult;
  close(): void;
}

export function openCheckpointConnection(file: string): CheckpointConnection {
  // In a development start of the desktop window, the launcher points at a copy compiled for Electron (open.ts).
  const nativeBinding = process.env.CONSTINTEL_SQLITE_BINDING;
  const sqlite = new Sqlite(file, { fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  // As the app's connections (open.ts): the data file is synced when a checkpoint ends, the log before it starts.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 0');
  const checkpoint = sqlite.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  return {
    passive() {
      const row = checkpoint.get() as { busy: number; log: number; checkpointed: number };
      return { log: row.log, checkpointed: row.checkpointed };
    },
    close() {
      sqlite.close();
    },
  };
}
