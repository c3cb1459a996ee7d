/**
 * A backend that can be restarted on the same data folder, for the two shells that keep one running (the desktop
 * app, `constintel serve`). A restore (Settings → Backups) needs the data file closed while the backup is put in
 * its place: the backend closes, the restore runs, and a new backend opens on the same folder with the same
 * access key and the same ports, so a page open in a browser reloads and keeps working.
 *
 * What the restore did (or why it could not) is shown on the Dashboard of the new backend, as its warnings are.
 */

import { type Backend, type BackendOptions, createBackend } from './core/backend';
import { provideRestart } from './core/backup/backups';

export interface RestartHooks {
  /** The backend is closing for a restart: calls to it must wait. */
  restarting?(): void;
  /** A new backend is running. */
  restarted?(backend: Backend): void;
  /** It could not open again (the shell says so and exits). */
  failed(error: unknown): void;
}

export interface Restartable {
  current(): Backend;
  close(): Promise<void>;
}

const portOf = (url: string | null): number | undefined => (url ? Number(new URL(url).port) : undefined);

export async function startRestartable(options: BackendOptions, hooks: RestartHooks): Promise<Restartable> {
  let backend = await createBackend(options);
  let restarting: Promise<void> | undefined;

  const arm = (running: Backend) =>
    provideRestart(running.ctx, (work) => {
      if (restarting) return;
      restarting = restart(work).finally(() => {
        restarting = undefined;
      });
    });

  async function restart(work: () => string): Promise<void> {
    const old = backend;
    const same: Partial<BackendOptions> = {
      token: old.token,
      uiPort: portOf(old.runtime.uiUrl) ?? options.uiPort,
      ingestPort: old.runtime.ingest.port ?? options.ingestPort,
    };
    const logger = old.ctx.logger;
    hooks.restarting?.();
    await old.close();
    let note: string;
    try {
      note = work();
      logger.info(note);
    } catch (error) {
      note = `The restore did not happen: ${(error as Error).message}`;
      logger.error(note);
    }
    try {
      backend = await createBackend({ ...options, ...same });
    } catch (error) {
      hooks.failed(error);
      return;
    }
    backend.runtime.warnings.push(note);
    arm(backend);
    hooks.restarted?.(backend);
  }

  arm(backend);
  return {
    current: () => backend,
    async close() {
      await restarting;
      await backend.close();
    },
  };
}
