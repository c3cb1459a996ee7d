/** Facts about the running app: version, where its data lives, its addresses. */
import { z } from 'zod';
import { command } from './define';

export const appInfoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  databaseFile: z.string(),
  startedAt: z.string(),
  brandName: z.string(),
  /** Where the app's pages are served; null when the listeners are off (tests). */
  uiUrl: z.string().nullable(),
  ingest: z.object({
    url: z.string().nullable(),
    host: z.string(),
    port: z.number().int().nullable(),
    requestedPort: z.number().int(),
  }),
  warnings: z.array(z.string()),
  /** The data file cannot be written (disk full, read-only, failing, damaged): what happened and what to do. */
  storage: z
    .object({
      kind: z.enum(['full', 'read_only', 'disk_error', 'damaged']),
      message: z.string(),
      since: z.string(),
    })
    .nullable(),
});
export type AppInfo = z.output<typeof appInfoSchema>;

export const appContract = {
  'app.info': command('Version, data location and listener addresses.', z.object({}).strict(), appInfoSchema),
};
