/**
 * Can the desktop window start here? Checked by `npm start` before it tries:
 * a screen, the Electron program (downloaded on first use), and a copy of
 * better-sqlite3 compiled for Electron's Node (npm install compiles it for the
 * Node that runs the tests and the headless server; installers rebuild it for
 * Electron when they are made, so only development starts need this copy).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function displayProblem(platform = process.platform, env = process.env): string | undefined {
  if (platform !== 'linux') return undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  return 'there is no display to open a window on';
}

export interface ElectronFound {
  path: string;
  version: string;
  /** The electron package's folder, when it came from node_modules. */
  packageDir?: string;
}

/** The Electron executable, downloading it quietly if needed; or why it cannot be had. */
export function findElectron(env = process.env): ElectronFound | { reason: string } {
  const override = env.CONSTINTEL_ELECTRON_PATH;
  if (override) {
    return existsSync(override)
      ? { path: override, version: env.CONSTINTEL_ELECTRON_VERSION ?? 'unknown' }
      : { reason: `CONSTINTEL_ELECTRON_PATH points to ${override}, which does not exist` };
  }
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'Electron is not installed' };
  }
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const pathFile = join(packageDir, 'path.txt');
  const binary = () => (existsSync(pathFile) ? join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : '');
  if (binary() === '' || !existsSync(binary())) {
    const download = spawnSync(process.execPath, [join(packageDir, 'install.js')], { stdio: 'pipe', timeout: 300_000 });
    if (download.status !== 0 || binary() === '' || !existsSync(binary())) {
      return { reason: "Electron's program could not be downloaded (this PC cannot reach its download server)" };
    }
  }
  return { path: binary(), version, packageDir };
}

/**
 * Path to a better-sqlite3 binary built for this Electron version, kept in
 * node_modules/.cache; made on first use with better-sqlite3's own
 * prebuild-install (or node-gyp when no prebuilt binary exists).
 */
export function electronSqliteBinding(electronVersion: string): { path: string } | { reason: string } {
  let source: string;
  try {
    source = dirname(require.resolve('better-sqlite3/package.json'));
  } catch {
    return { reason: 'better-sqlite3 is not installed' };
  }
  const target = join(
    dirname(dirname(source)),
    'node_modules',
    '.cache',
    'constintel',
    `electron-${electronVersion}`,
    'better-sqlite3',
  );
  const binding = join(target, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return { path: binding };
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true, filter: (file) => !file.includes(`${join(source, 'build')}`) });
  const electronArgs = ['--runtime=electron', `--target=${electronVersion}`];
  const bin = (name: string) => {
    try {
      return require.resolve(`${name}/package.json`).replace(/package\.json$/, '');
    } catch {
      return undefined;
    }
  };
  const prebuild = bin('prebuild-install');
  const attempts: string[][] = [];
  if (prebuild) attempts.push([join(prebuild, 'bin.js'), ...electronArgs]);
  const gyp = bin('node-gyp');
  if (gyp)
    attempts.push([
      join(gyp, 'bin', 'node-gyp.js'),
      'rebuild',
      '--release',
      ...electronArgs,
      '--dist-url=https://electronjs.org/headers',
    ]);
  for (const args of attempts) {
    spawnSync(process.execPath, args, { cwd: target, stdio: 'pipe', timeout: 600_000 });
    if (existsSync(binding)) return { path: binding };
  }
  return {
    reason:
      'the database engine could not be prepared for the desktop window (no prebuilt copy, and it could not be compiled)',
  };
}
