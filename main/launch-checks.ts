/** Can the desktop window start here? Checked by `npm start` before it tries. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron executable, downloading it quietly if needed; or why it cannot be had. */
export function findElectron(): { path: string } | { reason: string } {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'Electron is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const binary = () => (existsSync(pathFile) ? join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : '');
  if (!existsSync(binary()) || binary() === '') {
    const download = spawnSync(process.execPath, [join(packageDir, 'install.js')], {
      stdio: 'pipe',
      timeout: 300_000,
    });
    if (download.status !== 0 || !existsSync(binary())) {
      return { reason: "Electron's program could not be downloaded (this PC cannot reach its download server)" };
    }
  }
  return { path: binary() };
}

export function displayProblem(platform = process.platform, env = process.env): string | undefined {
  if (platform !== 'linux') return undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  return 'there is no display to open a window on';
}
