/** Handlers for `backups.*`: Settings → Backups (list, back up now, the folder, restore). */
import { join } from 'node:path';
import { AppError } from '../../../shared/contract/errors';
import { type BackupFile, checkBackupFile, isBackupName, KEEP, listBackups } from '../backup/backup-files';
import {
  backupByHand,
  backupFolder,
  defaultBackupFolder,
  describeBackup,
  restartOf,
  setBackupFolder,
} from '../backup/backups';
import { restoreBackup } from '../backup/restore';
import { readSettings } from '../settings/settings-store';
import { handlers } from './registry';

const view = (file: BackupFile) => ({
  name: file.name,
  path: file.path,
  kind: file.kind,
  day: file.day,
  modifiedAt: new Date(file.modifiedAt).toISOString(),
  bytes: file.bytes,
});

/** The answer goes out before the backend closes for the restart. */
const RESTART_AFTER_MS = 200;

export const backupsHandlers = handlers({
  'backups.list': (_input, ctx) => {
    const folder = backupFolder(ctx);
    return {
      folder,
      defaultFolder: defaultBackupFolder(ctx),
      keep: { daily: KEEP.daily, weekly: KEEP.weekly },
      backups: listBackups(folder).map(view),
    };
  },
  'backups.create': async (_input, ctx) => {
    const written = await backupByHand(ctx);
    return { backup: view(written), message: describeBackup(written) };
  },
  'backups.setFolder': (input, ctx) => ({ folder: setBackupFolder(ctx, input.folder) }),
  'backups.restore': (input, ctx) => {
    if (!isBackupName(input.name))
      throw new AppError('validation', `${input.name} is not the name of a ConstIntel backup.`, 'name');
    const file = join(backupFolder(ctx), input.name);
    // Checked while the app still runs, so a damaged backup is refused without a restart.
    checkBackupFile(file);
    const restart = restartOf(ctx);
    if (!restart || ctx.runtime.databaseFile === ':memory:')
      throw new AppError(
        'unavailable',
        `ConstIntel cannot restart itself here. Close it, then run: constintel restore "${file}" --data-dir "${ctx.dataDir}"`,
      );
    const { databaseFile, dataDir } = ctx.runtime;
    const timeZone = readSettings(ctx.db).timeZone;
    setTimeout(
      () =>
        restart(
          () => restoreBackup({ databaseFile, dataDir, backupFile: file, now: ctx.clock.now(), timeZone }).message,
        ),
      RESTART_AFTER_MS,
    ).unref();
    return {
      message: `ConstIntel is restarting on the backup ${input.name}. The file in use now is kept aside and backed up first.`,
    };
  },
});
