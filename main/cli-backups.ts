/**
 * `constintel backup` and `constintel restore`: the backups from a terminal. `backup` works beside the running app
 * (the app and the terminal share the `backup.nightly` claim, so they never write a backup at once); `restore`
 * refuses while an app runs on the data file, naming it (it takes the app's lock while it swaps the file).
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { backupByHand } from './core/backup/backups';
import { restoreBackup } from './core/backup/restore';
import { consoleLogger, systemClock } from './core/clock';
import { createEngineContext } from './core/context';
import { openDatabase } from './core/db/open';
import { DATABASE_FILE_NAME, resolveDataDir } from './core/paths';
import { FileSecretStore } from './core/secrets/secret-store';
import { DEFAULT_BRAND_ID } from './core/settings/settings-store';

export function addBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('Back up the data file now (also while the app runs) and print the file written.')
    .option('--to <dir>', 'folder to write the backup to (default: the backup folder chosen in Settings → Backups)')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action(async (opts: { to?: string; dataDir?: string }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
      const ctx = createEngineContext({
        db,
        clock: systemClock,
        logger: consoleLogger,
        dataDir,
        brandId: DEFAULT_BRAND_ID,
        secrets: new FileSecretStore(dataDir),
      });
      try {
        const written = await backupByHand(ctx, opts.to === undefined ? undefined : resolve(opts.to));
        process.stdout.write(`${written.path}\n`);
      } finally {
        db.close();
      }
    });

  program
    .command('restore <file>')
    .description(
      'Put a backup in place of the data file (ConstIntel must be closed). The file in use is kept aside and backed up first.',
    )
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((file: string, opts: { dataDir?: string }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      const outcome = restoreBackup({
        databaseFile: join(dataDir, DATABASE_FILE_NAME),
        dataDir,
        backupFile: resolve(file),
        now: systemClock.now(),
      });
      process.stdout.write(`${outcome.message}\n`);
    });
}
