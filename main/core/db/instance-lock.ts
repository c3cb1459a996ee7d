/**
 * One running app per data file. The mechanism is an OS file lock, taken through SQLite on a small companion file
 * (`constintel.db.lock` beside `constintel.db`): the holder opens it with `locking_mode = EXCLUSIVE` and keeps an EXCLUSIVE transaction open
 * for as long as it runs. The operating system ties that lock to the process, so a process that dies — Ctrl+C,
 * a crash, `kill -9`, a power cut — cannot leave it behind, and a pid written to a file could never say that
 * reliably (pids are reused). A second app finds the lock taken at once (no waiting) and reads who holds it from
 * `constintel.db.lock.json`, which the holder writes after taking the lock: its pid, when it started and its address.
 *
 * Command-line work on the file (`constintel import`, `retrain`, `export`, `backup`) does not take this lock: it
 * runs beside the app, and the app notices what it wrote (see `watchOtherWriters`).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { createPrivateFile, makePrivateDir, PRIVATE_FILE_MODE } from '../secrets/private-files';

/** The lock file and the holder's note, beside the data file. */
export const lockFiles = (databaseFile: string) => ({
  lock: `${databaseFile}.lock`,
  info: `${databaseFile}.lock.json`,
});

export interface LockHolder {
  pid: number;
  startedAt: string;
  /** The address the holder serves the app on, once it listens. */
  url: string | null;
}

export interface InstanceLock {
  /** Records the address the app is served on, for the message a second start shows. */
  setUrl(url: string | null): void;
  release(): void;
}

export type LockResult = { ok: true; lock: InstanceLock } | { ok: false; holder: LockHolder | undefined };

export function takeInstanceLock(databaseFile: string, now: Date, pid = process.pid): LockResult {
  const { lock: file, info: infoFile } = lockFiles(databaseFile);
  makePrivateDir(dirname(file));
  createPrivateFile(file);
  const nativeBinding = process.env.CONSTINTEL_SQLITE_BINDING;
  const sqlite = new Sqlite(file, nativeBinding ? { nativeBinding, timeout: 0 } : { timeout: 0 });
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    sqlite.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return { ok: false, holder: readHolder(infoFile) };
    throw error;
  }
  const holder: LockHolder = { pid, startedAt: now.toISOString(), url: null };
  const write = () => writeFileSync(infoFile, `${JSON.stringify(holder)}\n`, { mode: PRIVATE_FILE_MODE });
  write();
  let held = true;
  return {
    ok: true,
    lock: {
      setUrl(url) {
        holder.url = url;
        if (held) write();
      },
      release() {
        if (!held) return;
        held = false;
        rmSync(infoFile, { force: true });
        sqlite.close();
      },
    },
  };
}

function readHolder(infoFile: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(infoFile, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, startedAt: String(parsed.startedAt ?? ''), url: parsed.url ?? null };
  } catch {
    // Written just after the lock is taken: a holder that has only just started may not have written it yet.
    return undefined;
  }
}

/** What a second start says: which process has the file, and where to find it. */
export function describeHolder(holder: LockHolder | undefined, databaseFile: string): string {
  const who = holder
    ? `process ${holder.pid}, started ${holder.startedAt.replace('T', ' ').slice(0, 16)} UTC${
        holder.url ? `, open at ${holder.url}` : ''
      }`
    : 'another process, just starting';
  return `ConstIntel is already running on the data file ${databaseFile} (${who}). Use that one, or stop it first; two apps on one file would show each other stale pages.`;
}
