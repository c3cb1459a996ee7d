/**
 * The data folder is the shop's customers, so on POSIX it belongs to the user alone: the folder 0700, ConstIntel's
 * files in it 0600. New ones are born that way (a mode on mkdir and open, not a chmod afterwards: another account
 * could open a 0644 file in between and keep reading it). SQLite gives -wal and -shm the data file's own mode, so a
 * 0600 data file has 0600 companions (checked in test/integration/core/secrets/private-files.test.ts).
 *
 * An install an earlier version left readable by everyone (a 0755 folder, 0644 files) is tightened at start: the
 * folder first, which alone shuts other accounts out, then each file. Only ConstIntel's own files are touched —
 * `--data-dir` may name a folder that also holds the owner's things — and symlinks are never followed.
 *
 * Windows is skipped: the folder lies in the user's profile, which other accounts cannot open, and POSIX modes
 * mean little there.
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { SECRETS_FILE } from './secret-store';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** SQLite's companions of the data file. */
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];
/** Folders ConstIntel writes inside the data folder: import uploads and rejected rows, privacy exports. */
const OWN_FOLDERS = ['imports', 'exports'];
/** The longest list of names the log line spells out. */
const NAMES_IN_LOG = 20;

const posix = (): boolean => process.platform !== 'win32';

/** Creates `dir` (and missing parents) readable by the user only. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates an empty `file` readable by the user only, unless it exists; SQLite then opens it rather than making it. */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch {
    // It exists (tightened at start if loose), or cannot be made here: the opener reports that in its own words.
  }
}

export interface Tightened {
  /** Paths made private, relative to the data folder ('.' is the folder itself). */
  changed: string[];
  /** Paths that could not be changed (another account owns them), with the reason. */
  failed: string[];
}

/**
 * Takes group and other access away from the data folder and ConstIntel's files in it. `databaseFile` names the
 * data file (its -wal, -shm and -journal go with it). Nothing to do on Windows or where the folder does not exist.
 */
export function tightenDataFolder(dataDir: string, databaseFile: string): Tightened {
  const result: Tightened = { changed: [], failed: [] };
  if (!posix()) return result;
  // The folder itself may be a link the owner made to where the data really is: that folder is the one to close.
  let dirStat: Stats;
  try {
    dirStat = statSync(dataDir);
  } catch {
    return result;
  }
  if (!dirStat.isDirectory()) return result;
  const tighten = (path: string, stat: Stats) => {
    if ((stat.mode & 0o077) === 0) return;
    const name = relative(dataDir, path) || '.';
    try {
      chmodSync(path, stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
      result.changed.push(name);
    } catch (error) {
      result.failed.push(`${name} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  // The folder first: once it is 0700 nobody else can reach what is inside while the rest is changed.
  tighten(dataDir, dirStat);

  const own = new Set([SECRETS_FILE]);
  if (dirname(databaseFile) === dataDir) for (const s of SQLITE_SUFFIXES) own.add(`${basename(databaseFile)}${s}`);
  for (const entry of safeList(dataDir)) {
    const path = join(dataDir, entry);
    const stat = statOf(path);
    if (!stat || stat.isSymbolicLink()) continue;
    // A secrets file written half-way (`secrets.json.<pid>.<random>.tmp`) holds secrets too.
    const ownFile = own.has(entry) || (entry.startsWith(`${SECRETS_FILE}.`) && entry.endsWith('.tmp'));
    if (stat.isFile() && ownFile) tighten(path, stat);
    else if (stat.isDirectory() && OWN_FOLDERS.includes(entry)) tightenTree(path, stat, tighten);
  }
  return result;
}

/** One line for the log saying what was made private, or undefined when nothing was loose. */
export function describeTightened(dataDir: string, tightened: Tightened): string | undefined {
  const parts: string[] = [];
  if (tightened.changed.length > 0) {
    const names = tightened.changed.map((n) => (n === '.' ? 'the folder itself' : n));
    const shown = names.slice(0, NAMES_IN_LOG).join(', ');
    const more = names.length > NAMES_IN_LOG ? ` and ${names.length - NAMES_IN_LOG} more` : '';
    parts.push(
      `The data folder ${dataDir} was readable by other accounts on this PC; it is now yours alone (folders 0700, files 0600): ${shown}${more}.`,
    );
  }
  if (tightened.failed.length > 0) {
    parts.push(
      `These could not be made private (another account owns them; fix with chown): ${tightened.failed.join(', ')}.`,
    );
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function tightenTree(dir: string, stat: Stats, tighten: (path: string, stat: Stats) => void): void {
  tighten(dir, stat);
  for (const entry of safeList(dir)) {
    const path = join(dir, entry);
    const child = statOf(path);
    if (!child || child.isSymbolicLink()) continue;
    if (child.isDirectory()) tightenTree(path, child, tighten);
    else if (child.isFile()) tighten(path, child);
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Gives the owner back write access to the data file's -wal and -shm when the data file itself is writable: a start
 * made while the file was read-only leaves them read-only (SQLite gives them the file's mode). Only files this
 * account owns are touched, and nothing is deleted (another process may be using them).
 */
export function restoreCompanionWrite(databaseFile: string): void {
  if (!posix()) return;
  const main = statOf(databaseFile);
  if (!main?.isFile() || (main.mode & 0o200) === 0) return;
  const uid = process.getuid?.();
  for (const suffix of ['-wal', '-shm']) {
    const path = `${databaseFile}${suffix}`;
    const stat = statOf(path);
    if (!stat?.isFile() || stat.isSymbolicLink() || (stat.mode & 0o200) !== 0 || stat.uid !== uid) continue;
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch {
      // Left as it is: opening the file then fails with the read-only message, which says what to do.
    }
  }
}
