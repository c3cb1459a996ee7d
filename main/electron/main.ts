/**
 * The Electron shell, kept thin: one instance, one locked-down window serving
 * the built renderer from app://, IPC wired to the core's dispatch. The core
 * (database, listeners, engines) is the same one `constintel serve` runs.
 */
import { existsSync } from 'node:fs';
import { join, normalize, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, type BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import { AppError } from '../../shared/contract/errors';
import type { Backend } from '../core/backend';
import { consoleLogger } from '../core/clock';
import { CONTENT_SECURITY_POLICY } from '../core/http/ui-server';
import { importsOf } from '../core/import/import-service';
import { rendererDir, resolveDataDir } from '../core/paths';
import { type Restartable, startRestartable } from '../restartable';
import { safeStorageSecretStore } from './secret-store';
import { APP_ORIGIN, createMainWindow } from './window';

const here = fileURLToPath(new URL('.', import.meta.url));
const preloadPath = join(here, 'preload.cjs');

function flag(name: string): string | undefined {
  const args = process.argv;
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

/** A start-up failure must be seen by a shop owner who opened the app from a shortcut, not only in a terminal. */
function fail(error: unknown): void {
  const message = error instanceof AppError ? error.message : `${(error as Error).message ?? error}`;
  process.stderr.write(`ConstIntel could not start: ${message}\n`);
  if (app.isReady()) dialog.showErrorBox('ConstIntel could not start', message);
  app.exit(1);
}
process.on('uncaughtException', fail);

function portFlag(name: string): number | undefined {
  const value = flag(name);
  return value === undefined ? undefined : Number(value);
}

if (!app.requestSingleInstanceLock()) {
  // Another ConstIntel is open; it gets focus through 'second-instance'.
  process.stdout.write('CONSTINTEL_ALREADY_RUNNING\n');
  app.quit();
} else {
  let backend: Backend | undefined;
  let running: Restartable | undefined;
  /** True while a restore (Settings → Backups) closes the backend and opens it again. */
  let restarting = false;
  let win: BrowserWindow | undefined;

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  app
    .whenReady()
    .then(async () => {
      session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

      const root = rendererDir();
      protocol.handle('app', async (request) => {
        const url = new URL(request.url);
        // An import's rejected rows (the same address the browser version downloads from).
        const rejected = /^\/imports\/(\d+)\/rejected\.csv$/.exec(url.pathname);
        if (rejected) {
          const path = backend ? importsOf(backend.ctx).rejectedFile(Number(rejected[1])) : undefined;
          if (!path || !existsSync(path)) return new Response('This import has no rejected rows.', { status: 404 });
          const response = await net.fetch(pathToFileURL(path).toString());
          return new Response(response.body, {
            status: 200,
            headers: {
              'Content-Type': 'text/csv; charset=utf-8',
              'Content-Disposition': `attachment; filename="import-${rejected[1]}-rejected-rows.csv"`,
            },
          });
        }
        const wanted = normalize(join(root, decodeURIComponent(url.pathname)));
        const inside = !relative(root, wanted).startsWith('..');
        const file =
          inside && existsSync(wanted) && !wanted.endsWith('/') && url.pathname !== '/'
            ? wanted
            : join(root, 'index.html');
        const response = await net.fetch(pathToFileURL(file).toString());
        const headers = new Headers(response.headers);
        headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
        headers.set('X-Content-Type-Options', 'nosniff');
        return new Response(response.body, { status: response.status, headers });
      });

      const dataDir = resolveDataDir({ flag: flag('--data-dir'), shellDefault: app.getPath('userData') });
      running = await startRestartable(
        {
          dataDir,
          secretStore: safeStorageSecretStore(dataDir, consoleLogger.warn),
          logger: consoleLogger,
          uiPort: portFlag('--port'),
          ingestPort: portFlag('--ingest-port'),
        },
        {
          restarting: () => {
            restarting = true;
          },
          restarted: (next) => {
            backend = next;
            restarting = false;
          },
          failed: fail,
        },
      );
      backend = running.current();

      ipcMain.handle('constintel:invoke', (event, name: unknown, input: unknown) => {
        if (!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`) || !backend) {
          return { ok: false, error: { kind: 'auth', message: 'Only the ConstIntel window can do that.' } };
        }
        if (restarting) {
          return {
            ok: false,
            error: { kind: 'unavailable', message: 'ConstIntel is restarting on a restored backup; a moment, please.' },
          };
        }
        return backend.dispatch(String(name), input);
      });

      win = createMainWindow(preloadPath);
      win.on('closed', () => {
        win = undefined;
      });
      process.stdout.write(`CONSTINTEL_READY ${backend.runtime.uiUrl ?? ''}\n`);
    })
    .catch(fail);

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!running) return;
    event.preventDefault();
    const closing = running;
    running = undefined;
    backend = undefined;
    void closing.close().finally(() => app.exit(0));
  });
}
