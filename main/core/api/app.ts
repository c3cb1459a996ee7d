/** Handlers for `app.*`: what the running app is and where it lives. */
import { appVersion } from '../paths';
import { readSettings } from '../settings/settings-store';
import { handlers } from './registry';

export const appHandlers = handlers({
  'app.info': (_input, { db, runtime }) => ({
    version: appVersion(),
    dataDir: runtime.dataDir,
    databaseFile: runtime.databaseFile,
    startedAt: runtime.startedAt.toISOString(),
    brandName: readSettings(db).brandName,
    uiUrl: runtime.uiUrl,
    ingest: runtime.ingest,
    warnings: runtime.warnings,
  }),
});
