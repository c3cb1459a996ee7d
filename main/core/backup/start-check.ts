/**
 * The check at start: `PRAGMA quick_check` reads every page of the data file (without the index cross-checks of
 * `integrity_check`, so it takes seconds, not minutes, on a shop's file). A damaged file is not run on: every
 * delivery acknowledged into it would be lost again when the shop restores, whereas Shopify and WhatsApp keep
 * retrying deliveries an app that is not running did not acknowledge. The message names the newest backup and the
 * exact command that restores it.
 */
import type Sqlite from 'better-sqlite3';
import { AppError } from '../../../shared/contract/errors';
import { backupFolderOf, wayBack } from './backup-files';

export function checkDataFile(sqlite: Sqlite.Database, file: string, dataDir: string): void {
  if (file === ':memory:') return;
  let problem: string | undefined;
  try {
    const rows = sqlite.pragma('quick_check') as { quick_check: string }[];
    if (rows.length !== 1 || rows[0]?.quick_check !== 'ok') problem = rows[0]?.quick_check ?? 'unreadable';
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem === undefined) return;
  throw new AppError('unavailable', damagedMessage(file, dataDir, problem, sqlite));
}

export function damagedMessage(file: string, dataDir: string, problem: string, sqlite?: Sqlite.Database): string {
  return (
    `The data file ${file} is damaged (SQLite's check found: ${problem}). ConstIntel did not start on it, so nothing more is written to it; ` +
    `Shopify and WhatsApp keep retrying what they could not deliver.\n${wayBack(backupFolderOf(sqlite, dataDir), dataDir)}`
  );
}
