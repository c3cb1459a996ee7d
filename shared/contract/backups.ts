/**
 * Backups (Settings → Backups): the folder they go to, the list with kind, date and size, one made now, and a
 * restore, after which the app restarts on the restored file.
 */
import { z } from 'zod';
import { command } from './define';

export const backupKindSchema = z.enum(['daily', 'weekly', 'manual', 'before-upgrade', 'before-restore']);
export type BackupKindName = z.output<typeof backupKindSchema>;

export const backupViewSchema = z.object({
  /** The file name inside the folder, such as constintel-2026-12-06-daily.db: what a restore names. */
  name: z.string(),
  path: z.string(),
  kind: backupKindSchema,
  /** The day it was made (YYYY-MM-DD, the shop's time zone). */
  day: z.string(),
  /** When it was written (ISO). */
  modifiedAt: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type BackupView = z.output<typeof backupViewSchema>;

export const backupsContract = {
  'backups.list': command(
    'The backups in the chosen folder, newest first, with the folder and how many of each kind are kept.',
    z.object({}).strict(),
    z.object({
      folder: z.string(),
      defaultFolder: z.string(),
      keep: z.object({ daily: z.number().int(), weekly: z.number().int() }),
      backups: z.array(backupViewSchema),
    }),
  ),
  'backups.create': command(
    'Make a backup now, in the chosen folder.',
    z.object({}).strict(),
    z.object({ backup: backupViewSchema, message: z.string() }),
  ),
  'backups.setFolder': command(
    'Choose the folder backups go to (another drive is best); null goes back to the default.',
    z.object({ folder: z.string().max(1000).nullable() }).strict(),
    z.object({ folder: z.string() }),
  ),
  'backups.restore': command(
    'Check a backup and restart ConstIntel on it; the file in use is kept aside.',
    z.object({ name: z.string().min(1).max(200) }).strict(),
    z.object({ message: z.string() }),
  ),
};
