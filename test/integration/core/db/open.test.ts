import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { generateSQLiteDrizzleJson, generateSQLiteMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_TABLE, openDatabase } from '../../../../main/core/db/open';
import * as schema from '../../../../main/core/db/schema';
import { migrationsDir } from '../../../../main/core/paths';
import { tempDirs } from '../../../support/backend';

const newDir = tempDirs();
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const PRODUCT_TABLES = [
  'automation_call',
  'automation_decision',
  'automation_execution',
  'brand',
  'checkout_state',
  'consent_event',
  'customer_journey',
  'customer_journey_transition',
  'customer_profile',
  'customer_raw_event',
  'dashboard_state',
  'features',
  'identity_version',
  'import_chunk',
  'import_job',
  'import_preset',
  'journey_shop',
  'marketing_automation',
  'merge_history',
  'merge_review',
  'message_delivery_update',
  'message_in',
  'message_outbox',
  'model_version',
  'predictions',
  'privacy_request',
  'profile_identifier',
  'profile_pending_totals',
  'profile_redirect',
  'profile_separation',
  'profile_tag',
  'sales_period',
  'scheduled_job',
  'setting',
  'shared_identifier_use',
  'shopify_connection',
  'stream_message',
  'stream_offset',
  'stream_outbox',
  'webhook_delivery',
];

describe('openDatabase', () => {
  it('creates every product table with WAL, foreign keys and a busy timeout', () => {
    const file = join(newDir(), 'nested', 'constintel.db');
    const db = openDatabase(file);
    const tables = db.sqlite
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != ?`)
      .pluck()
      .all(MIGRATIONS_TABLE);
    expect(tables.sort()).toEqual(PRODUCT_TABLES);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('keeps identifiers unique per brand, type and value, and events unique per natural key', () => {
    const db = openDatabase(':memory:');
    db.sqlite.exec(`INSERT INTO brand (id, name, default_country, created_at, updated_at) VALUES (1, 'b', 'GB', 0, 0)`);
    db.sqlite.exec(
      `INSERT INTO customer_profile (id, brand_id, created_at, updated_at) VALUES (1, 1, 0, 0), (2, 1, 0, 0)`,
    );
    const identifier = db.sqlite.prepare(
      `INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at) VALUES (1, ?, 'email', 'ann@example.com', 'api', 0)`,
    );
    identifier.run(1);
    expect(() => identifier.run(2)).toThrow(/UNIQUE/);
    const event = db.sqlite.prepare(
      `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at) VALUES (1, 'purchase', 'shopify', 'o-1', '{}', 0, 0)`,
    );
    event.run();
    expect(() => event.run()).toThrow(/UNIQUE/);
    expect(() =>
      db.sqlite.exec(`INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (99, 0, 0)`),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('applies nothing twice when opened again', () => {
    const file = join(newDir(), 'constintel.db');
    openDatabase(file).close();
    const db = openDatabase(file);
    const applied = db.sqlite.prepare(`SELECT count(*) FROM ${MIGRATIONS_TABLE}`).pluck().get();
    const journal = JSON.parse(readFileSync(join(migrationsDir(), 'meta', '_journal.json'), 'utf8'));
    expect(applied).toBe(journal.entries.length);
    db.close();
  });

  it('refuses a database written by a newer version and leaves it unchanged', () => {
    const file = join(newDir(), 'constintel.db');
    openDatabase(file).close();
    const raw = new Sqlite(file);
    raw.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES ('future', 99999999999999)`).run();
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = sha(file);
    expect(() => openDatabase(file)).toThrow(/written by a newer version of ConstIntel.*It was not changed/);
    expect(sha(file)).toBe(before);
  });

  it('says plainly when the file is not a database, and does not touch it', () => {
    const file = join(newDir(), 'constintel.db');
    writeFileSync(file, 'these are my shopping notes, not a database '.repeat(200));
    const before = sha(file);
    expect(() => openDatabase(file)).toThrow(/is not a ConstIntel data file, or it is damaged/);
    expect(sha(file)).toBe(before);
  });

  it('applies all pending migrations in one transaction: a failing step leaves nothing behind', () => {
    const folder = join(newDir(), 'migrations');
    mkdirSync(folder);
    cpSync(migrationsDir(), folder, { recursive: true });
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.entries.push({
      idx: journal.entries.length,
      version: '6',
      when: 99999999999999,
      tag: '9999_broken',
      breakpoints: true,
    });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(
      join(folder, '9999_broken.sql'),
      'CREATE TABLE ok_table (id integer);\n--> statement-breakpoint\nTHIS IS NOT SQL;',
    );
    const file = join(newDir(), 'constintel.db');
    expect(() => openDatabase(file, { migrationsFolder: folder })).toThrow(/syntax error/);
    const raw = new Sqlite(file);
    const tables = raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
    expect(tables).not.toContain('ok_table');
    expect(tables).not.toContain('customer_profile');
    raw.close();
  });
});

describe('migrations', () => {
  it('match the drizzle schema exactly (regenerate with npm run db:generate, never edit by hand)', async () => {
    const journal = JSON.parse(readFileSync(join(migrationsDir(), 'meta', '_journal.json'), 'utf8'));
    const last = journal.entries.at(-1);
    const snapshot = JSON.parse(
      readFileSync(join(migrationsDir(), 'meta', `${String(last.idx).padStart(4, '0')}_snapshot.json`), 'utf8'),
    );
    const current = await generateSQLiteDrizzleJson(schema as Record<string, unknown>);
    expect(await generateSQLiteMigration(snapshot, current)).toEqual([]);
  });
});

describe('table rebuilds in later migrations', () => {
  it('keep child rows: foreign keys are off while migrating and checked before commit', () => {
    const folder = join(newDir(), 'migrations');
    cpSync(migrationsDir(), folder, { recursive: true });
    const file = join(newDir(), 'constintel.db');
    const db = openDatabase(file, { migrationsFolder: folder });
    db.sqlite.exec(`INSERT INTO brand (id, name, default_country, created_at, updated_at) VALUES (1, 'b', 'GB', 0, 0)`);
    db.sqlite.exec(`INSERT INTO customer_profile (id, brand_id, created_at, updated_at) VALUES (1, 1, 0, 0)`);
    db.sqlite.exec(
      `INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at) VALUES (1, 1, 'email', 'a@b.co', 'api', 0)`,
    );
    const definition = String(
      db.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'customer_profile'").pluck().get(),
    );
    db.close();
    // What drizzle-kit writes to change a column of customer_profile: rebuild the table.
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.entries.push({
      idx: journal.entries.length,
      version: '6',
      when: 99999999999990,
      tag: '9990_rebuild',
      breakpoints: true,
    });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(
      join(folder, '9990_rebuild.sql'),
      [
        'PRAGMA foreign_keys=OFF;',
        `${definition.replace('`customer_profile`', '`__new_customer_profile`')};`,
        'INSERT INTO `__new_customer_profile` SELECT * FROM `customer_profile`;',
        'DROP TABLE `customer_profile`;',
        'ALTER TABLE `__new_customer_profile` RENAME TO `customer_profile`;',
        'PRAGMA foreign_keys=ON;',
      ].join('\n--> statement-breakpoint\n'),
    );
    const again = openDatabase(file, { migrationsFolder: folder });
    expect(again.sqlite.prepare('SELECT count(*) FROM profile_identifier').pluck().get()).toBe(1);
    expect(again.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    again.close();
  });
});
