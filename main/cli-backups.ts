/**
 * `constintel backup` and `constintel restore`: the backups from a terminal. `backup` works beside the running app
 * (the app and the terminal share the `backup.nightly` claim, so they never write a backup at once); `restore`
 * refuses while an app runs on the data file, naming it (it takes the app's lock while it swaps the file).
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openForCommand } from './cli-context';
import { backupByHand } from './core/backup/backups';
import { restoreBackup } from './core/backup/restore';
import { systemClock } from './core/clock';
import { DATABASE_FILE_NAME, resolveDataDir } from './core/paths';

export function addBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('Back up the data file now (also while the app runs) and print the file written.')
    .option('--to <dir>', 'folder to write the backup to (default: the backup folder chosen in Settings → Backups)')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action(async (opts: { to?: string; dataDir?: string }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      const ctx = openForCommand(dataDir);
      const { db } = ctx;
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
