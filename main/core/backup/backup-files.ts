/**
 * Backup files on disk: how they are named, written, listed, pruned and checked. No engine context here, so
 * `db/open.ts` can make the backup before a migration with the connection it has, and `constintel restore` can
 * check a file without opening the app.
 *
 * Written by `VACUUM INTO`, not SQLite's online backup API: the backup API starts over whenever another connection
 * writes, so beside webhooks arriving every few milliseconds it may never finish; `VACUUM INTO` reads one
 * consistent snapshot (WAL) and writes a compact copy, whatever is committed meanwhile. It goes to a `.partial`
 * name first and is renamed when complete, so a half-written backup (a full disk, a crash) is never listed.
 *
 * Names say the kind and the date in the shop's words: `constintel-2026-12-06-daily.db`,
 * `constintel-2026-12-06-143205-manual.db` (kinds made more than once a day carry the time). Sorting the names
 * sorts the backups by time, which is what retention goes by (not file times, which a copy to a new drive changes).
 */
import { chmodSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { AppError } from '../../../shared/contract/errors';
import { migrationsDir } from '../paths';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../secrets/private-files';

export const BACKUP_KINDS = ['daily', 'weekly', 'manual', 'before-upgrade', 'before-restore'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** How many of each kind are kept; older ones are deleted after each new backup. */
export const KEEP: Record<BackupKind, number> = {
  daily: 7,
  weekly: 4,
  manual: 5,
  'before-upgrade': 5,
  'before-restore': 5,
};

/** The folder backups go to unless the shop chose another (Settings → Backups, `backups.folder` in `setting`). */
export const DEFAULT_BACKUP_FOLDER = 'backups';
export const BACKUP_FOLDER_KEY = 'backups.folder';

export interface BackupFile {
  name: string;
  path: string;
  kind: BackupKind;
  /** The day it was made, in the time zone it was named in (YYYY-MM-DD). */
  day: string;
  /** When the file was last written (ms), for showing. */
  modifiedAt: number;
  bytes: number;
}

const NAME = /^constintel-(\d{4}-\d{2}-\d{2})(?:-(\d{6}))?-(daily|weekly|manual|before-upgrade|before-restore)\.db$/;
const DATED_ONLY: ReadonlySet<BackupKind> = new Set(['daily', 'weekly']);

/** Date and time parts of `at` in `timeZone` (the PC's zone when undefined). */
export function localStamp(at: Date, timeZone?: string): { day: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    day: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}${part('minute')}${part('second')}`,
  };
}

export function backupName(kind: BackupKind, at: Date, timeZone?: string): string {
  const { day, time } = localStamp(at, timeZone);
  return DATED_ONLY.has(kind) ? `constintel-${day}-${kind}.db` : `constintel-${day}-${time}-${kind}.db`;
}

/** The backups in a folder, newest first (an absent folder has none). */
export function listBackups(folder: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const found: BackupFile[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const path = join(folder, name);
    try {
      const stat = statSync(path);
      if (!stat.isFile()) continue;
      found.push({
        name,
        path,
        kind: match[3] as BackupKind,
        day: match[1] ?? '',
        modifiedAt: stat.mtimeMs,
        bytes: stat.size,
      });
    } catch {
      // Removed between the listing and the look: not a backup any more.
    }
  }
  // By the day in the name (a copy to a new drive changes file times), then by when written within a day.
  return found.sort(
    (a, b) => b.day.localeCompare(a.day) || b.modifiedAt - a.modifiedAt || b.name.localeCompare(a.name),
  );
}

export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Writes a consistent copy of the database `sqlite` is connected to into `folder/name` (replacing a backup of the
 * same name) and answers it. The connection must not be inside a transaction.
 */
export function vacuumInto(sqlite: Sqlite.Database, folder: string, name: string): BackupFile {
  makePrivateDir(folder);
  const target = join(folder, name);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  try {
    sqlite.prepare('VACUUM INTO ?').run(partial);
    // Customer records: only this user may read them, as with the data file itself.
    chmodSync(partial, PRIVATE_FILE_MODE);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    const code = String((error as { code?: unknown }).code ?? '');
    if (code === 'SQLITE_FULL')
      throw new AppError('unavailable', `The disk holding ${folder} is full, so the backup could not be written.`);
    if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR'))
      throw new AppError(
        'unavailable',
        `The backup could not be written to ${folder}: check that the drive is connected and that ConstIntel may write there.`,
      );
    throw error;
  }
  const stat = statSync(target);
  const match = NAME.exec(name);
  return {
    name,
    path: target,
    kind: (match?.[3] as BackupKind | undefined) ?? 'manual',
    day: match?.[1] ?? '',
    modifiedAt: stat.mtimeMs,
    bytes: stat.size,
  };
}

/** Deletes the backups of each kind beyond what KEEP keeps; answers the names deleted. */
export function pruneBackups(folder: string, keep: Record<BackupKind, number> = KEEP): string[] {
  const deleted: string[] = [];
  const seen = new Map<BackupKind, number>();
  for (const file of listBackups(folder)) {
    const n = (seen.get(file.kind) ?? 0) + 1;
    seen.set(file.kind, n);
    if (n <= keep[file.kind]) continue;
    rmSync(file.path, { force: true });
    deleted.push(file.name);
  }
  return deleted;
}

/**
 * The nightly backup is a weekly one when the newest weekly is a week old or more (or there is none), else a daily
 * one: a fixed weekday would never come for a shop whose PC is off that day.
 */
export function nightlyKind(folder: string, day: string): BackupKind {
  const newestWeekly = listBackups(folder).find((f) => f.kind === 'weekly');
  if (!newestWeekly) return 'weekly';
  const days = (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${newestWeekly.day}T00:00:00Z`)) / 86_400_000;
  return days >= 7 ? 'weekly' : 'daily';
}

/** Reads the chosen backup folder from a data file's `setting` table; the default when unset or unreadable. */
export function backupFolderOf(sqlite: Sqlite.Database | undefined, dataDir: string): string {
  try {
    const raw = sqlite?.prepare('SELECT value FROM setting WHERE key = ?').pluck().get(BACKUP_FOLDER_KEY);
    const chosen = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : undefined;
    if (typeof chosen === 'string' && chosen.trim() !== '') return chosen;
  } catch {
    // An older or damaged file: the default folder.
  }
  return join(dataDir, DEFAULT_BACKUP_FOLDER);
}

/**
 * Checks that a file is a sound ConstIntel backup this version can open: `PRAGMA integrity_check` reads every page.
 * Throws an AppError in the shop's words when it is not.
 */
export function checkBackupFile(file: string): void {
  if (!existsSync(file)) throw new AppError('not_found', `There is no file ${file}.`);
  let sqlite: Sqlite.Database | undefined;
  try {
    sqlite = new Sqlite(file, { readonly: true, fileMustExist: true });
    const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
    if (rows.length !== 1 || rows[0]?.integrity_check !== 'ok')
      throw new AppError(
        'validation',
        `The backup ${file} is damaged (${rows[0]?.integrity_check ?? 'unreadable'}), so it was not restored. Choose an older backup.`,
      );
    const steps = sqlite.prepare('SELECT created_at FROM __drizzle_migrations').pluck().all() as number[];
    const newestKnown = Math.max(
      0,
      ...readMigrationFiles({ migrationsFolder: migrationsDir() }).map((m) => Number(m.folderMillis)),
    );
    if (steps.some((s) => Number(s) > newestKnown))
      throw new AppError(
        'validation',
        `The backup ${file} was made by a newer version of ConstIntel. Install that version to restore it.`,
      );
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'validation',
      `${file} is not a ConstIntel backup, or it is damaged (${(error as Error).message}), so it was not restored.`,
    );
  } finally {
    sqlite?.close();
  }
}

/** How a restore is typed in a terminal, with the folders quoted as they are on this PC. */
export function restoreCommand(backup: string, dataDir: string): string {
  return `constintel restore "${backup}" --data-dir "${dataDir}"`;
}

/** The way back to the newest backup, for a damaged data file: what to run, or that there is no backup. */
export function wayBack(folder: string, dataDir: string): string {
  const newest = listBackups(folder)[0];
  if (!newest)
    return `There is no backup in ${folder}. Copy the whole folder ${dataDir} somewhere safe before trying anything else.`;
  return (
    `Your newest backup is ${newest.path} (${newest.kind}, ${newest.day}). To go back to it, run:\n` +
    `  ${restoreCommand(newest.path, dataDir)}\n` +
    'The damaged file is kept aside, not deleted. Anything received after that backup was made must be imported or sent again.'
  );
}
