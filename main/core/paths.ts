/**
 * Where things live on disk: the app's own files (migrations, built renderer,
 * package.json) and the shop's data folder. The data folder is the same one
 * Electron calls `userData`, so the desktop app, the headless server and the
 * CLI all open the same SQLite file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR_NAME = 'ConstIntel';
export const DATABASE_FILE_NAME = 'constintel.db';

let cachedRoot: string | undefined;

/** The folder holding ConstIntel's package.json (inside app.asar when packaged). */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && existsSync(join(dir, 'migrations'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ConstIntel could not find its own files (package.json and migrations/).');
    dir = parent;
  }
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function migrationsDir(): string {
  return join(appRoot(), 'migrations');
}

export function rendererDir(): string {
  return join(appRoot(), 'dist', 'renderer');
}

/** The per-user application data folder, computed as Electron computes `appData`. */
export function osAppDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config');
}

/**
 * `--data-dir` wins, then `CONSTINTEL_DATA_DIR`, then the folder the shell
 * prefers (Electron's userData), then the OS default for ConstIntel.
 */
export function resolveDataDir(options: {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  shellDefault?: string | undefined;
}): string {
  const env = options.env ?? process.env;
  const chosen =
    nonEmpty(options.flag) ??
    nonEmpty(env.CONSTINTEL_DATA_DIR) ??
    nonEmpty(options.shellDefault) ??
    join(osAppDataDir(process.platform, env), APP_DIR_NAME);
  return resolve(chosen);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
