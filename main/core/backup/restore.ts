/**
 * Putting a backup in place of the data file, for `constintel restore` and for the app's Restore button (which
 * closes the backend first, runs this, and opens the data folder again: see `restart.ts`).
 *
 * It holds the one-app-per-data-file lock (db/instance-lock.ts) while it swaps, so it never pulls the file from
 * under a running app, and says who holds it when it cannot. Nothing is deleted: the backup is checked first
 * (`PRAGMA integrity_check`), a `before-restore` backup of the current file is made when it can still be read,
 * and the current file itself (with its `-wal`) is renamed aside to `constintel.db.before-restore-<time>`.
 */
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { AppError } from '../../../shared/contract/errors';
import { type LockHolder, takeInstanceLock } from '../db/instance-lock';
import { PRIVATE_FILE_MODE } from '../secrets/private-files';
import { backupFolderOf, backupName, checkBackupFile, localStamp, pruneBackups, vacuumInto } from './backup-files';

export interface RestoreOutcome {
  /** The backup now in use. */
  restored: string;
  /** Where the file that was in use went (renamed, whole); null when there was none. */
  keptAside: string | null;
  /** The backup made of that file first; null when it could not be read (a damaged file). */
  beforeRestoreBackup: string | null;
  /** One paragraph for the shop: what was done and where things are. */
  message: string;
}

/** Who holds the lock, in words. */
function holderWords(holder: LockHolder | undefined): string {
  if (!holder) return 'another ConstIntel, just starting';
  const when = holder.startedAt.replace('T', ' ').slice(0, 16);
  return `process ${holder.pid}, started ${when} UTC${holder.url ? `, open at ${holder.url}` : ''}`;
}

/**
 * Puts `backupFile` in place of `databaseFile` under the lock. Throws an AppError in the shop's words (the app is
 * running, the backup is damaged) without having changed anything.
 */
export function restoreBackup(options: {
  databaseFile: string;
  dataDir: string;
  backupFile: string;
  now: Date;
  timeZone?: string;
}): RestoreOutcome {
  const { databaseFile, dataDir, backupFile, now } = options;
  const taken = takeInstanceLock(databaseFile, now);
  if (!taken.ok)
    throw new AppError(
      'conflict',
      `ConstIntel is running on the data file ${databaseFile} (${holderWords(taken.holder)}), so nothing was restored. ` +
        'Close it first and run this again, or restore from the app: Settings → Backups.',
    );
  try {
    checkBackupFile(backupFile);
    const before = existsSync(databaseFile) && statSync(databaseFile).size > 0;
    const beforeRestoreBackup = before ? backupCurrent(databaseFile, dataDir, now, options.timeZone) : null;
    const keptAside = swap(databaseFile, backupFile, now, options.timeZone);
    const message = [
      `Restored ${backupFile}: ConstIntel now works on it (${databaseFile}).`,
      keptAside ? `The file that was in use is kept as ${keptAside}.` : '',
      beforeRestoreBackup
        ? `A backup of it is in ${beforeRestoreBackup}; restore that to undo this.`
        : before
          ? 'It could not be read to make a backup of it (it is damaged).'
          : '',
    ]
      .filter((line) => line !== '')
      .join(' ');
    return { restored: backupFile, keptAside, beforeRestoreBackup, message };
  } finally {
    taken.lock.release();
  }
}

/** The `before-restore` backup of the file about to be replaced; null when it cannot be read. */
function backupCurrent(databaseFile: string, dataDir: string, now: Date, timeZone?: string): string | null {
  let sqlite: Sqlite.Database | undefined;
  try {
    sqlite = new Sqlite(databaseFile, { fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    const folder = backupFolderOf(sqlite, dataDir);
    const written = vacuumInto(sqlite, folder, backupName('before-restore', now, timeZone));
    pruneBackups(folder);
    return written.path;
  } catch {
    // A damaged file is exactly what is being restored over: it is still kept aside whole.
    return null;
  } finally {
    sqlite?.close();
  }
}

/** Copies the backup in beside the data file, moves the data file (and its -wal) aside, and renames the copy in. */
function swap(databaseFile: string, backupFile: string, now: Date, timeZone?: string): string | null {
  const incoming = `${databaseFile}.restoring`;
  copyFileSync(backupFile, incoming);
  chmodSync(incoming, PRIVATE_FILE_MODE);
  const { day, time } = localStamp(now, timeZone);
  let aside: string | null = null;
  if (existsSync(databaseFile)) {
    aside = join(dirname(databaseFile), `${basename(databaseFile)}.before-restore-${day}-${time}`);
    renameSync(databaseFile, aside);
    // Committed pages not yet copied into the file live in its -wal: it goes with the file, under the name SQLite
    // looks for beside it. The -shm is only an index of the -wal, rebuilt on open.
    if (existsSync(`${databaseFile}-wal`)) renameSync(`${databaseFile}-wal`, `${aside}-wal`);
  }
  rmSync(`${databaseFile}-wal`, { force: true });
  rmSync(`${databaseFile}-shm`, { force: true });
  renameSync(incoming, databaseFile);
  return aside;
}
