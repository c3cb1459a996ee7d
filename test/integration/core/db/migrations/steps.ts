/**
 * A data file brought up to a given migration and no further: the first N of the app's migrations copied into a
 * folder of their own (files and journal), applied by the app's own runner. Applying a longer prefix later adds
 * the next steps to the same file, as an upgrade does.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { applyMigrations } from '../../../../../main/core/db/open';
import { migrationsDir } from '../../../../../main/core/paths';

interface Journal {
  entries: { idx: number; tag: string }[];
}

export interface SteppedFile {
  sqlite: Sqlite.Database;
  /** Applies migrations up to and including number `last` (0 is 0000_foundation). */
  upTo(last: number): void;
  close(): void;
}

export function steppedFile(): SteppedFile {
  const dir = mkdtempSync(join(tmpdir(), 'constintel-migration-'));
  const sqlite = new Sqlite(join(dir, 'data.sqlite'));
  sqlite.pragma('foreign_keys = ON');
  const source = migrationsDir();
  const journal = JSON.parse(readFileSync(join(source, 'meta', '_journal.json'), 'utf8')) as Journal;
  return {
    sqlite,
    upTo(last) {
      const folder = join(dir, `migrations-${last}`);
      mkdirSync(join(folder, 'meta'), { recursive: true });
      const entries = journal.entries.filter((e) => e.idx <= last);
      for (const entry of entries) copyFileSync(join(source, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
      writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
      applyMigrations(sqlite, folder);
    },
    close: () => sqlite.close(),
  };
}

/** How many migrations the app has (the last is number count − 1). */
export function migrationCount(): number {
  return readdirSync(migrationsDir()).filter((name) => name.endsWith('.sql')).length;
}

/** A brand row (every table with data names one). */
export function addBrand(sqlite: Sqlite.Database): number {
  return Number(
    sqlite
      .prepare("INSERT INTO brand (name, default_country, created_at, updated_at) VALUES ('Shop', 'US', 1, 1)")
      .run().lastInsertRowid,
  );
}

export function columnsOf(sqlite: Sqlite.Database, table: string): string[] {
  return (sqlite.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}
