/**
 * Backups on real files, in process: what the nightly job keeps over forty nights (an injected clock), the
 * backup made before a migration (and only then), and a backup's check before a restore.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkBackupFile, listBackups } from '../../../../main/core/backup/backup-files';
import { backupByHand, writeNightlyBackup } from '../../../../main/core/backup/backups';
import { fixedClock } from '../../../../main/core/clock';
import { openDatabase } from '../../../../main/core/db/open';
import { schedulerOf } from '../../../../main/core/jobs/scheduler';
import { tempDirs, testBackend } from '../../../support/backend';
import { migrationCount, steppedFile } from '../db/migrations/steps';

const newDir = tempDirs();

describe('retention', () => {
  it('keeps 7 daily and 4 weekly backups over forty nights, named by kind and date', async () => {
    const dataDir = newDir();
    const clock = fixedClock('2026-11-01T02:30:00Z');
    const backend = await testBackend({ dataDir, clock });
    try {
      await backend.call('settings.update', { timeZone: 'UTC' });
      for (let night = 0; night < 40; night++) {
        writeNightlyBackup(backend.ctx);
        clock.advance(86_400_000);
      }
      const kept = listBackups(join(dataDir, 'backups'));
      const names = kept.map((b) => b.name);
      // Nights run 1 Nov … 10 Dec; a weekly one every seventh night from the first.
      expect(names.filter((n) => n.endsWith('-weekly.db'))).toEqual([
        'constintel-2026-12-06-weekly.db',
        'constintel-2026-11-29-weekly.db',
        'constintel-2026-11-22-weekly.db',
        'constintel-2026-11-15-weekly.db',
      ]);
      expect(names.filter((n) => n.endsWith('-daily.db'))).toEqual([
        'constintel-2026-12-10-daily.db',
        'constintel-2026-12-09-daily.db',
        'constintel-2026-12-08-daily.db',
        'constintel-2026-12-07-daily.db',
        'constintel-2026-12-05-daily.db',
        'constintel-2026-12-04-daily.db',
        'constintel-2026-12-03-daily.db',
      ]);
      expect(readdirSync(join(dataDir, 'backups'))).toHaveLength(11);
    } finally {
      await backend.close();
    }
  });

  it('the nightly job runs under the backup.nightly claim that Back up now and constintel backup share', async () => {
    const dataDir = newDir();
    const backend = await testBackend({ dataDir });
    try {
      const claims = schedulerOf(backend.ctx).claims;
      expect(claims.take('backup.nightly')).toBe('taken');
      await expect(backupByHand(backend.ctx)).rejects.toThrow(/A backup of this data file is being made right now/);
      claims.release('backup.nightly', { result: 'ok', message: null });
      const made = await backend.call('backups.create', {});
      expect(made.backup.kind).toBe('manual');
      expect(made.message).toMatch(/^Saved constintel-2026-03-01-\d{6}-manual\.db/);
      const { jobs } = await backend.call('jobs.list', {});
      expect(jobs.find((j) => j.name === 'backup.nightly')).toMatchObject({ lastResult: 'ok' });
    } finally {
      await backend.close();
    }
  });
});

describe('before a migration', () => {
  it('backs up an existing file before upgrading it, and not a new file or one with nothing to apply', () => {
    const stepped = steppedFile();
    stepped.upTo(migrationCount() - 2);
    const file = stepped.sqlite.name;
    stepped.close();
    const folder = join(file, '..', 'backups');
    openDatabase(file, { now: () => new Date('2026-12-06T09:00:00Z') }).close();
    const made = listBackups(folder);
    expect(made.map((b) => b.kind)).toEqual(['before-upgrade']);
    // The backup is the file as it was: one step behind.
    const old = new Sqlite(made[0]?.path ?? '', { readonly: true });
    expect(old.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(migrationCount() - 1);
    old.close();
    openDatabase(file).close();
    expect(listBackups(folder)).toHaveLength(1);

    const fresh = join(newDir(), 'constintel.db');
    openDatabase(fresh).close();
    expect(listBackups(join(fresh, '..', 'backups'))).toEqual([]);
  });
});

describe('a backup is checked before a restore', () => {
  it('refuses a file that is not a ConstIntel backup', () => {
    const dir = newDir();
    const junk = join(dir, 'constintel-2026-12-06-daily.db');
    writeFileSync(junk, 'not a database at all, just words'.repeat(200));
    expect(() => checkBackupFile(junk)).toThrow(/is not a ConstIntel backup, or it is damaged/);
    expect(() => checkBackupFile(join(dir, 'missing.db'))).toThrow(/There is no file/);
  });
});
