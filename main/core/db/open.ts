/**
 * Opens the one SQLite file (or an in-memory database for tests), sets the
 * pragmas the app relies on and brings the schema up to date.
 *
 * Migrations are the drizzle-kit files in `migrations/`, applied by our own
 * small runner rather than drizzle's `migrate()` because we need two things it
 * does not do: refuse a database written by a newer ConstIntel (drizzle
 * silently ignores unknown migrations) and check that inside the same
 * IMMEDIATE transaction that applies ours, so two processes starting at once
 * cannot both migrate. The bookkeeping table is drizzle's own, so drizzle-kit
 * tooling still understands the file.
 *
 * Before a migration changes an existing file, a `before-upgrade` backup of it is written (backup/backup-files.ts):
 * an upgrade that goes wrong, or a newer version the shop wants to leave, can be undone with `constintel restore`.
 */
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { AppError } from '../../../shared/contract/errors';
import { backupFolderOf, backupName, pruneBackups, vacuumInto, wayBack } from '../backup/backup-files';
import { migrationsDir } from '../paths';
import { createPrivateFile, makePrivateDir, restoreCompanionWrite } from '../secrets/private-files';
import * as schema from './schema';
import { storageProblem } from './storage-problem';

/** Write-ahead log pages between automatic checkpoints (see openDatabase). */
export const WAL_CHECKPOINT_PAGES = 10_000;

export type Orm = BetterSQLite3Database<typeof schema>;

export interface Database {
  /** The raw better-sqlite3 connection, for prepared statements on hot paths. */
  readonly sqlite: Sqlite.Database;
  /** Typed drizzle handle over the same connection. */
  readonly orm: Orm;
  /** The file opened, or ':memory:'. */
  readonly file: string;
  close(): void;
}

export interface OpenOptions {
  /** Folder holding drizzle-kit's output; defaults to the app's `migrations/`. */
  migrationsFolder?: string;
  /** Wait this long (ms) for another process's lock before failing. */
  busyTimeoutMs?: number;
  /** The time a backup made before a migration is named by (default: now). */
  now?: () => Date;
}

export const MIGRATIONS_TABLE = '__drizzle_migrations';

export function openDatabase(file: string, options: OpenOptions = {}): Database {
  const inMemory = file === ':memory:';
  if (!inMemory) {
    // Born private (folder 0700, file 0600; SQLite gives -wal and -shm the file's mode): see secrets/private-files.ts.
    makePrivateDir(dirname(file));
    createPrivateFile(file);
    // A start while the data file was read-only leaves a read-only -shm (SQLite copies the file's mode), which would
    // keep every later start failing after the file itself is writable again: the owner's write access comes back.
    restoreCompanionWrite(file);
  }
  let sqlite: Sqlite.Database;
  try {
    // In a development start of the desktop window, the launcher points at a copy compiled for Electron.
    const nativeBinding = process.env.CONSTINTEL_SQLITE_BINDING;
    sqlite = new Sqlite(file, nativeBinding ? { nativeBinding } : {});
  } catch (error) {
    throw new AppError('unavailable', `ConstIntel could not open its data file ${file}: ${(error as Error).message}`);
  }
  try {
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!inMemory) sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Checkpoints every 10,000 log pages (about 40 MB; SQLite's default is 1,000): a page many commits rewrite is
    // copied into the file once instead of many times (the same bench: a further 18 s → 16 s).
    // 64 MiB of pages kept in memory (SQLite's default is 2 MiB), and the file read through memory mapping (up to
    // 512 MiB) instead of a read call per page: a shop's 100,000 customers' rows and indexes stay warm while
    // automations look at each of them (the automations bench's full evaluation: 39 s → 33 s with the cache, a
    // further 15% with the mapping).
    if (!inMemory) {
      sqlite.pragma('cache_size = -65536');
      sqlite.pragma('mmap_size = 536870912');
      sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    }
    const folder = options.migrationsFolder ?? migrationsDir();
    if (!inMemory) backupBeforeUpgrade(sqlite, folder, file, options.now?.() ?? new Date());
    applyMigrations(sqlite, folder, file);
  } catch (error) {
    // The chosen backup folder is read while the file is open (a damaged file may still give it; else the default).
    const backups = inMemory ? '' : backupFolderOf(sqlite, dirname(file));
    sqlite.close();
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError(
        'unavailable',
        `${file} is not a ConstIntel data file, or it is damaged. It was not changed. If it is not yours, start ConstIntel with another data folder (--data-dir).\n` +
          wayBack(backups, dirname(file)),
      );
    }
    // A full disk, a read-only file or folder, a failing drive: what happened and what to do, not "disk I/O error".
    const problem = storageProblem(error, file, true);
    if (problem) throw new AppError('unavailable', problem.message);
    throw error;
  }
  const orm = drizzle(sqlite, { schema });
  return {
    sqlite,
    orm,
    file,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * A `before-upgrade` backup when a migration is about to be applied to a file that already has ConstIntel's data
 * (not a new, empty one). A backup that cannot be written stops the upgrade: the file is left as it was.
 */
function backupBeforeUpgrade(sqlite: Sqlite.Database, migrationsFolder: string, file: string, now: Date): void {
  const ours = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
  if (!ours) return;
  const applied = new Set(
    (sqlite.prepare(`SELECT created_at FROM "${MIGRATIONS_TABLE}"`).pluck().all() as number[]).map(Number),
  );
  if (applied.size === 0) return;
  const pending = readMigrationFiles({ migrationsFolder }).some((m) => !applied.has(Number(m.folderMillis)));
  if (!pending) return;
  const folder = backupFolderOf(sqlite, dirname(file));
  try {
    vacuumInto(sqlite, folder, backupName('before-upgrade', now));
    pruneBackups(folder);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw error;
    throw new AppError(
      'unavailable',
      `This version of ConstIntel must upgrade the data file ${file}, and backs it up first, but the backup failed: ${(error as Error).message} The file was not changed.`,
    );
  }
}

interface AppliedRow {
  hash: string;
  created_at: number;
}

export function applyMigrations(sqlite: Sqlite.Database, folder: string, file = 'the database'): void {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const known = new Set(migrations.map((m) => Number(m.folderMillis)));
  const newestKnown = Math.max(0, ...known);

  // drizzle-kit rebuilds a table (create new, copy, drop old, rename) to change it. With foreign keys on,
  // dropping the old table would cascade-delete child rows, and PRAGMA foreign_keys cannot change inside a
  // transaction, so keys are off while migrating and checked before the transaction commits.
  const foreignKeys = sqlite.pragma('foreign_keys', { simple: true }) === 1;
  if (foreignKeys) sqlite.pragma('foreign_keys = OFF');
  const run = sqlite.transaction(() => {
    sqlite.exec(
      `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`,
    );
    const applied = sqlite.prepare(`SELECT hash, created_at FROM "${MIGRATIONS_TABLE}"`).all() as AppliedRow[];
    const unknown = applied.filter((row) => !known.has(Number(row.created_at)));
    if (unknown.length > 0 || applied.some((row) => Number(row.created_at) > newestKnown)) {
      throw new AppError(
        'unavailable',
        `${file} was written by a newer version of ConstIntel (it has ${applied.length} schema steps, this version knows ${migrations.length}). ` +
          'It was not changed. Install the newer ConstIntel to open it.',
      );
    }
    const done = new Set(applied.map((row) => Number(row.created_at)));
    const insert = sqlite.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" (hash, created_at) VALUES (?, ?)`);
    const pending = migrations.filter((m) => !done.has(Number(m.folderMillis)));
    // Nothing to apply is the usual start: no checks that read the whole file.
    if (pending.length === 0) return;
    for (const migration of pending) {
      for (const statement of migration.sql) {
        if (statement.trim() !== '') sqlite.exec(statement);
      }
      insert.run(migration.hash, migration.folderMillis);
    }
    const broken = sqlite.pragma('foreign_key_check') as { table: string }[];
    if (broken.length > 0) {
      throw new Error(
        `Upgrading the data file would break ${broken.length} links between records (first in ${broken[0]?.table}).`,
      );
    }
  });
  try {
    run.immediate();
  } finally {
    if (foreignKeys) sqlite.pragma('foreign_keys = ON');
  }
}
