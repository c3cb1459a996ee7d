/**
 * Backups as the app makes them: the folder the shop chose (kept in `setting`, so it travels with the data file
 * and `constintel backup` finds it), the nightly backup, one by hand (the "Back up now" button, `constintel
 * backup`), and the restart a restore needs.
 *
 * Every backup made by the app or the CLI runs under the `backup.nightly` claim (jobs/claims.ts), like the retrain
 * shares `models.retrain` with `constintel retrain`: two processes on one data file never write backups at the
 * same time, and Settings → Scheduled work shows the last one, whoever made it.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { AppError } from '../../../shared/contract/errors';
import { defineService, type EngineContext } from '../context';
import { stmt } from '../db/statements';
import { schedulerOf } from '../jobs/scheduler';
import { readSettings } from '../settings/settings-store';
import {
  BACKUP_FOLDER_KEY,
  type BackupFile,
  type BackupKind,
  backupFolderOf,
  backupName,
  DEFAULT_BACKUP_FOLDER,
  localStamp,
  nightlyKind,
  pruneBackups,
  vacuumInto,
} from './backup-files';

export const BACKUP_JOB = 'backup.nightly';

export function defaultBackupFolder(ctx: EngineContext): string {
  return join(ctx.dataDir, DEFAULT_BACKUP_FOLDER);
}

export function backupFolder(ctx: EngineContext): string {
  return backupFolderOf(ctx.db.sqlite, ctx.dataDir);
}

/** Stores the folder backups go to; null (or the default itself) goes back to the default. */
export function setBackupFolder(ctx: EngineContext, folder: string | null): string {
  const chosen = folder?.trim() ? folder.trim() : null;
  if (chosen !== null && !isAbsolute(chosen))
    throw new AppError(
      'validation',
      'Give the whole path of the backup folder, such as D:\\ConstIntel backups or /media/usb/constintel.',
      'folder',
    );
  const now = ctx.clock.now().getTime();
  if (chosen === null || resolve(chosen) === defaultBackupFolder(ctx)) {
    stmt(ctx.db, 'DELETE FROM setting WHERE key = ?').run(BACKUP_FOLDER_KEY);
  } else {
    stmt(
      ctx.db,
      'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ).run(BACKUP_FOLDER_KEY, JSON.stringify(resolve(chosen)), now);
  }
  return backupFolder(ctx);
}

/** One backup of the data file now, into `folder` (the chosen one by default); old ones beyond the counts go. */
export function writeBackup(ctx: EngineContext, kind: BackupKind, folder = backupFolder(ctx)): BackupFile {
  const timeZone = readSettings(ctx.db).timeZone;
  const written = vacuumInto(ctx.db.sqlite, folder, backupName(kind, ctx.clock.now(), timeZone));
  pruneBackups(folder);
  return written;
}

/** The nightly run: a weekly backup once a week, a daily one on the other nights. */
export function writeNightlyBackup(ctx: EngineContext): BackupFile {
  const folder = backupFolder(ctx);
  const { day } = localStamp(ctx.clock.now(), readSettings(ctx.db).timeZone);
  return writeBackup(ctx, nightlyKind(folder, day), folder);
}

export function describeBackup(file: BackupFile): string {
  return `Saved ${file.name} (${formatBytes(file.bytes)}) in ${file.path.slice(0, -file.name.length - 1)}.`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * A backup made by hand (the button, the CLI): under the `backup.nightly` claim, refused while another process
 * holds it. `done` settles once the claim is released and the result recorded.
 */
export async function backupByHand(ctx: EngineContext, folder?: string): Promise<BackupFile> {
  const claims = schedulerOf(ctx).claims;
  if (claims.take(BACKUP_JOB) !== 'taken')
    throw new AppError(
      'conflict',
      'A backup of this data file is being made right now (by the app, or constintel backup in a terminal). Try again in a minute.',
    );
  let written: BackupFile | undefined;
  const outcome = await claims.hold(BACKUP_JOB, () => {
    written = writeBackup(ctx, 'manual', folder);
    return { result: 'ok', message: describeBackup(written) };
  });
  if (!written) throw new AppError('unavailable', outcome.message ?? 'The backup failed; the details are in the log.');
  return written;
}

/**
 * How a shell restarts the backend on the same data folder after `work` (a restore) has run with the data file
 * closed. The desktop app and `constintel serve` provide it (main/restartable.ts); an in-process backend has none.
 */
export type Restart = (work: () => string) => void;

const restarts = defineService((): { restart: Restart | undefined } => ({ restart: undefined }));

export function provideRestart(ctx: EngineContext, restart: Restart): void {
  restarts(ctx).restart = restart;
}

export function restartOf(ctx: EngineContext): Restart | undefined {
  return restarts(ctx).restart;
}
