/**
 * The only bridge from the page to the backend: `window.constintel.invoke`
 * for the commands the contract declares, and `pathForFile` for the Import
 * page (where a dropped or picked file lies on this PC, so the backend reads
 * it there rather than receiving a copy); nothing else. The main process
 * passes the declared names in `--constintel-commands=` (a sandboxed preload
 * cannot load the contract module itself without bundling all of zod into
 * every window); the main process checks them again on arrival.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

export const COMMANDS_ARG = '--constintel-commands=';

const allowed = new Set(
  (process.argv.find((arg) => arg.startsWith(COMMANDS_ARG)) ?? COMMANDS_ARG).slice(COMMANDS_ARG.length).split(','),
);

contextBridge.exposeInMainWorld('constintel', {
  invoke(name: string, input: unknown): Promise<unknown> {
    if (typeof name !== 'string' || !allowed.has(name)) {
      return Promise.resolve({
        ok: false,
        error: { kind: 'not_found', message: `There is no command called "${String(name)}".` },
      });
    }
    return ipcRenderer.invoke('constintel:invoke', name, input);
  },
  /** The full path of a File from a drop or a file picker; '' when it is not a file on disk. */
  pathForFile(file: File): string {
    try {
      return webUtils.getPathForFile(file);
    } catch {
      return '';
    }
  },
});
