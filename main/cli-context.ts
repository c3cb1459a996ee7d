/**
 * What a terminal command works on: the data file in the chosen folder, opened beside the running app (commands
 * do not take the app's lock; the app notices what they write), and an engine context over it.
 */
import { join } from 'node:path';
import { consoleLogger, type Logger, systemClock } from './core/clock';
import { createEngineContext, type EngineContext } from './core/context';
import { openDatabase } from './core/db/open';
import { DATABASE_FILE_NAME } from './core/paths';
import { FileSecretStore } from './core/secrets/secret-store';
import { DEFAULT_BRAND_ID } from './core/settings/settings-store';

export function openForCommand(dataDir: string, logger: Logger = consoleLogger): EngineContext {
  const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
  return createEngineContext({
    db,
    clock: systemClock,
    logger,
    dataDir,
    brandId: DEFAULT_BRAND_ID,
    secrets: new FileSecretStore(dataDir),
  });
}
