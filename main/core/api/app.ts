/** Handlers for `app.*`: what the running app is and where it lives. */
import { storageHealthOf } from '../db/storage-health';
import { appVersion } from '../paths';
import { readSettings } from '../settings/settings-store';
import { handlers } from './registry';

export const appHandlers = handlers({
  'app.info': (_input, ctx) => {
    const { db, runtime } = ctx;
    const storage = storageHealthOf(ctx).current;
    return {
      version: appVersion(),
      dataDir: runtime.dataDir,
      databaseFile: runtime.databaseFile,
      startedAt: runtime.startedAt.toISOString(),
      brandName: readSettings(db).brandName,
      uiUrl: runtime.uiUrl,
      ingest: runtime.ingest,
      warnings: runtime.warnings,
      storage: storage
        ? { kind: storage.kind, message: storage.message, since: new Date(storage.since).toISOString() }
        : null,
    };
  },
});
