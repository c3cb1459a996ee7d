/**
 * The plain-Node shell: the same core as the desktop app, with the UI served
 * to any browser on 127.0.0.1. Used by `constintel serve`, by `npm start`
 * where Electron cannot start, and by the browser tests. A restore from
 * Settings → Backups restarts the backend in place (restartable.ts).
 */
import { AppError } from '../shared/contract/errors';
import type { Backend } from './core/backend';
import { clockFromEnvironment, consoleLogger } from './core/clock';
import { resolveDataDir } from './core/paths';
import { startRestartable } from './restartable';

export interface HeadlessOptions {
  dataDir?: string | undefined;
  port?: number | undefined;
  ingestPort?: number | undefined;
  /** Where to print the addresses; stdout by default. */
  print?: (line: string) => void;
  /** Where `CONSTINTEL_CLOCK_START` is read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

export async function startHeadless(options: HeadlessOptions = {}): Promise<Backend> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = resolveDataDir({ flag: options.dataDir });
  const { clock, warning } = clockFromEnvironment(options.env ?? process.env);
  if (warning) print(`Warning: ${warning}`);
  const app = await startRestartable(
    { dataDir, clock, logger: consoleLogger, uiPort: options.port, ingestPort: options.ingestPort },
    {
      restarting: () => print('Restarting ConstIntel on a restored backup…'),
      restarted: (backend) => print(`ConstIntel is running again on ${backend.runtime.databaseFile}.`),
      failed: (error) => {
        const message = error instanceof AppError ? error.message : (error as Error).message;
        process.stderr.write(`constintel: ConstIntel could not start again after the restore: ${message}\n`);
        process.exit(1);
      },
    },
  );
  const backend = app.current();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    print('Stopping ConstIntel…');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Printed only once Ctrl+C (and a stop signal) is handled: whoever reads the link may stop us at once.
  print('ConstIntel is running.');
  print(`  Open in your browser: ${backend.launchUrl}`);
  print(`  Ingest listener:      ${backend.runtime.ingest.url}`);
  print(`  Data file:            ${backend.runtime.databaseFile}`);
  print('Press Ctrl+C to stop.');
  return backend;
}
