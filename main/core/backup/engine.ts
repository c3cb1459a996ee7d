/**
 * The backup engine: Settings → Backups' commands, and the nightly backup (a weekly one once a week) at 02:30 in
 * the shop's time zone, before the nightly retrain, run once on wake if the PC slept through it.
 */
import { backupsHandlers } from '../api/backups';
import { defineEngine } from '../engine';
import { BACKUP_JOB, describeBackup, writeNightlyBackup } from './backups';

export const backupEngine = defineEngine({
  name: 'backup',
  handlers: backupsHandlers,
  jobs: [
    {
      name: BACKUP_JOB,
      description:
        'Back up the data file to the backup folder (Settings → Backups): every night at 2:30, keeping 7 daily and 4 weekly backups. Back up now and constintel backup show here too.',
      cron: '30 2 * * *',
      catchUp: true,
      run: (ctx) => describeBackup(writeNightlyBackup(ctx)),
    },
  ],
});
