/**
 * The one app window, locked down: no Node in the page, sandboxed, isolated
 * context, only our own pages, no new windows, no permissions.
 */
import { BrowserWindow, shell } from 'electron';
import { COMMAND_NAMES } from '../../shared/contract/index';

export const APP_ORIGIN = 'app://constintel';

export function createMainWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'ConstIntel',
    webPreferences: {
      preload: preloadPath,
      // The preload allows exactly the contract's commands (see preload.ts).
      additionalArguments: [`--constintel-commands=${COMMAND_NAMES.join(',')}`],
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Help links open in the shop's browser; nothing opens inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/`);
  return win;
}
