/**
 * createBackend: the running core. Opens the data file, checks the contract
 * is fully handled, starts the UI server (loopback only) and the ingest
 * listener, and hands every shell (Electron, headless, CLI, tests) the same
 * `dispatch`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppError, type WireResponse } from '../../shared/contract/errors';
import type { CommandInput, CommandName, CommandOutput } from '../../shared/contract/index';
import type { HandlerContext, RuntimeInfo } from './api/registry';
import { automationsEngine } from './automations/engine';
import { backupEngine } from './backup/engine';
import { checkDataFile } from './backup/start-check';
import { campaignsEngine } from './campaigns/engine';
import { channelsEngine } from './channels/engine';
import { outboxEngine } from './channels/outbox-engine';
import { type Clock, consoleLogger, type Logger, systemClock } from './clock';
import { connectionsEngine } from './connections/engine';
import { createChangeBus } from './context';
import { customersEngine } from './customers/engine';
import { customerExportEngine } from './customers/export-engine';
import { dashboardEngine } from './dashboard/engine';
import { watchDataVersion } from './db/data-version';
import { describeHolder, type InstanceLock, takeInstanceLock } from './db/instance-lock';
import { type Database, openDatabase } from './db/open';
import { storageProblem } from './db/storage-problem';
import { composeEngines } from './engine';
import { createIngestListener } from './http/ingest-listener';
import { type Listening, listenWithFallback } from './http/listen';
import { createUiServer } from './http/ui-server';
import { identityEngine } from './identity/engine';
import { importsEngine } from './import/engine';
import { importsOf } from './import/import-service';
import { ingestEngine } from './ingest/engine';
import { repairStoredLimits } from './ingest/limits-repair';
import { jobsEngine } from './jobs/engine';
import { journeysEngine } from './journey/engine';
import { nextBestActionEngine } from './journey/nba-engine';
import { modelsEngine } from './ml/engine';
import { appVersion, DATABASE_FILE_NAME, rendererDir as defaultRendererDir } from './paths';
import { moveApiKeyToSecrets, readApiKey } from './secrets/api-key';
import { describeTightened, tightenDataFolder } from './secrets/private-files';
import { FileSecretStore, MemorySecretStore, type SecretStore } from './secrets/secret-store';
import { settingsEngine } from './settings/engine';
import { DEFAULT_BRAND_ID, ensureDefaultBrand, readSettings } from './settings/settings-store';
import { streamsEngine } from './streams/engine';

/**
 * Every engine, once, in start order (they stop in reverse): the stream runner first and last, the scheduler
 * last and first. A new engine is one folder under main/core with an engine.ts, listed here.
 */
export const ENGINES = [
  streamsEngine,
  settingsEngine,
  customersEngine,
  customerExportEngine,
  identityEngine,
  connectionsEngine,
  ingestEngine,
  importsEngine,
  modelsEngine,
  backupEngine,
  channelsEngine,
  outboxEngine,
  automationsEngine,
  campaignsEngine,
  journeysEngine,
  nextBestActionEngine,
  dashboardEngine,
  jobsEngine,
] as const;

export interface BackendOptions {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** ':memory:' for tests; defaults to `<dataDir>/constintel.db`. */
  databaseFile?: string;
  /** Start the two listeners (default true). In-process tests can leave them off. */
  listen?: boolean;
  /** Override the stored UI port for this run (0 = any free port). */
  uiPort?: number | undefined;
  /** Override the stored ingest port for this run (0 = any free port). */
  ingestPort?: number | undefined;
  rendererDir?: string;
  /** Fixed token (tests); otherwise random per launch. */
  token?: string;
  /** Requests per 10 s one address may make to the ingest listener before 429 (tests lower it). */
  ingestRateLimitPer10s?: number;
  /** Hold the one-app-per-data-file lock (default: when listening on a real file). */
  lock?: boolean;
  /** Where connection secrets are kept; defaults to a user-only file beside the data file (memory for ':memory:'). */
  secretStore?: SecretStore;
}

export interface Backend {
  readonly db: Database;
  /** What handlers and engines receive: tests and shells reach a domain's service through it (`importsOf(ctx)`). */
  readonly ctx: HandlerContext;
  readonly token: string;
  readonly runtime: RuntimeInfo;
  /** The UI address with the access token, to open in a browser; null without listeners. */
  readonly launchUrl: string | null;
  /** For transports: never throws; answers the wire envelope. */
  dispatch(name: string, input: unknown): Promise<WireResponse>;
  /** In-process typed call: the result, or an AppError. */
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  close(): Promise<void>;
}

export async function createBackend(options: BackendOptions): Promise<Backend> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const databaseFile = options.databaseFile ?? join(options.dataDir, DATABASE_FILE_NAME);
  // Refuses a duplicate command, subscriber or job name, or a command no engine handles, before anything opens.
  const engines = composeEngines(ENGINES);
  if (databaseFile !== ':memory:') {
    // Before the data file is opened: an earlier version left the folder and its files readable by everyone.
    const loose = describeTightened(options.dataDir, tightenDataFolder(options.dataDir, databaseFile));
    if (loose) logger.info(loose);
  }
  // One app per data file (db/instance-lock.ts): the desktop app and `serve` hold it; in-process tests need not.
  let lock: InstanceLock | undefined;
  try {
    if (databaseFile !== ':memory:' && (options.lock ?? options.listen !== false)) {
      const taken = takeInstanceLock(databaseFile, clock.now());
      if (!taken.ok) throw new AppError('conflict', describeHolder(taken.holder, databaseFile));
      lock = taken.lock;
    }
    return await openBackend(options, { clock, logger, databaseFile, engines, lock });
  } catch (error) {
    // A failed start leaves nothing behind that would block the next one.
    lock?.release();
    // A read-only folder, a full disk, a failing drive: what happened and what to do, not SQLite's words.
    const problem = error instanceof AppError ? undefined : storageProblem(error, databaseFile, true);
    throw problem ? new AppError('unavailable', problem.message) : error;
  }
}

async function openBackend(
  options: BackendOptions,
  started: {
    clock: Clock;
    logger: Logger;
    databaseFile: string;
    engines: ReturnType<typeof composeEngines>;
    lock: InstanceLock | undefined;
  },
): Promise<Backend> {
  const { clock, logger, databaseFile, engines, lock } = started;
  const db = openDatabase(databaseFile);
  try {
    // A damaged file is not run on: the message names the newest backup and how to restore it (backup/start-check.ts).
    checkDataFile(db.sqlite, databaseFile, options.dataDir);
  } catch (error) {
    db.close();
    throw error;
  }
  ensureDefaultBrand(db, clock);
  // Rows an earlier version let in past today's limits (an infinite total, a year-9999 date, a payload nested past
  // what SQLite reads) are repaired before anything reads them.
  repairStoredLimits(db, clock.now().getTime(), logger);
  const settings = readSettings(db);
  const token = options.token ?? randomBytes(24).toString('base64url');

  const requestedIngestPort = options.ingestPort ?? settings.ingestPort;
  const runtime: RuntimeInfo = {
    dataDir: options.dataDir,
    databaseFile,
    startedAt: clock.now(),
    uiUrl: null,
    ingest: { url: null, host: settings.ingestHost, port: null, requestedPort: requestedIngestPort },
    warnings: [],
  };
  const secrets =
    options.secretStore ??
    (databaseFile === ':memory:' ? new MemorySecretStore() : new FileSecretStore(options.dataDir));
  if (moveApiKeyToSecrets(db, secrets))
    logger.info('The event API key was moved from the data file to the secrets file.');
  const ctx: HandlerContext = {
    db,
    clock,
    logger,
    dataDir: options.dataDir,
    brandId: DEFAULT_BRAND_ID,
    secrets,
    bus: createChangeBus(logger),
    runtime,
  };
  // Each engine recovers what a crash left (waiting webhook deliveries, interrupted imports) before anything is served.
  engines.start(ctx);
  const dispatch = (name: string, input: unknown) => engines.registry.dispatch(name, input, ctx);

  const listeners: Listening[] = [];
  // Another process (a command in a terminal) wrote to the file: pages must not show what it replaced.
  const stopWatching = watchDataVersion(db, () => ctx.bus.emit('data.changed'));
  const closeAll = async () => {
    stopWatching();
    await Promise.all(listeners.map((l) => l.close()));
    engines.stop(ctx);
    db.close();
    lock?.release();
  };

  if (options.listen !== false) {
    try {
      let uiPort = 0;
      const requestedUiPort = options.uiPort ?? settings.uiPort;
      const ui = await listenWithFallback(
        createUiServer({
          token,
          rendererDir: options.rendererDir ?? defaultRendererDir(),
          dispatch,
          logger,
          port: () => uiPort,
          files: {
            upload: (body, name) => importsOf(ctx).addUpload(body, name),
            rejectedFile: (jobId) => importsOf(ctx).rejectedFile(jobId),
          },
        }),
        '127.0.0.1',
        requestedUiPort,
      );
      uiPort = ui.port;
      listeners.push(ui);
      runtime.uiUrl = ui.url;
      lock?.setUrl(ui.url);
      if (requestedUiPort !== 0 && ui.port !== requestedUiPort) {
        runtime.warnings.push(
          `Port ${requestedUiPort} was busy, so the browser address uses port ${ui.port} this time.`,
        );
      }

      const ingestApp = createIngestListener({
        version: appVersion(),
        logger,
        ctx,
        ...(options.ingestRateLimitPer10s ? { rateLimitPer10s: options.ingestRateLimitPer10s } : {}),
      });
      let ingestHost = settings.ingestHost;
      let ingest: Listening;
      try {
        ingest = await listenWithFallback(ingestApp, ingestHost, requestedIngestPort);
      } catch (error) {
        // An address that is not on this PC (any more) must not stop the shop from opening the app.
        if (ingestHost === '127.0.0.1') throw error;
        runtime.warnings.push(
          `The ingest address ${ingestHost} is not available on this PC, so webhooks are received on 127.0.0.1 only this time. Change it in Settings.`,
        );
        ingestHost = '127.0.0.1';
        ingest = await listenWithFallback(ingestApp, ingestHost, requestedIngestPort);
      }
      listeners.push(ingest);
      runtime.ingest = {
        url: ingest.url,
        host: ingestHost,
        port: ingest.port,
        requestedPort: requestedIngestPort,
      };
      if (requestedIngestPort !== 0 && ingest.port !== requestedIngestPort) {
        runtime.warnings.push(
          `Ingest port ${requestedIngestPort} was busy, so webhooks are received on port ${ingest.port} this time; a tunnel pointing at ${requestedIngestPort} will not reach ConstIntel until that port is free.`,
        );
      }
    } catch (error) {
      await closeAll();
      throw new AppError('unavailable', (error as Error).message);
    }
    for (const warning of runtime.warnings) logger.warn(warning);
  }

  try {
    readApiKey(secrets);
  } catch (error) {
    // A key this process cannot decrypt must not stop the app; Settings → Event API says what to do.
    logger.warn((error as Error).message);
  }
  if (options.listen !== false) engines.startJobs(ctx);
  return {
    db,
    ctx,
    token,
    runtime,
    // The key rides in the fragment, which browsers never send to a server (see http/ui-server.ts).
    launchUrl: runtime.uiUrl ? `${runtime.uiUrl}/#token=${token}` : null,
    dispatch,
    async call(name, input) {
      const response = await dispatch(name, input);
      if (!response.ok) throw AppError.fromWire(response.error);
      return response.result as never;
    },
    close: closeAll,
  };
}
