/**
 * `npm start`: open the desktop app; where Electron cannot start (its program
 * cannot be downloaded, or there is no screen) say why in one line and serve
 * the same app to the browser instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { appRoot } from './core/paths';
import { startHeadless } from './headless';

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const electron = findElectron();
  const problem = 'reason' in electron ? electron.reason : displayProblem();
  if (problem !== undefined || !('path' in electron)) {
    console.log(`The desktop window cannot open here: ${problem}. Serving ConstIntel to your browser instead.`);
    await serveHeadless(args);
    return;
  }

  const child = spawn(electron.path, [appRoot(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let ready = false;
  let lastError = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (!ready && text.includes('CONSTINTEL_READY')) {
      ready = true;
      console.log('ConstIntel is open in its window.');
    }
    if (ready) process.stdout.write(text.replace(/^CONSTINTEL_READY.*\n?/m, ''));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (ready) process.stderr.write(text);
    else lastError = text.trim().split('\n').pop() ?? lastError;
  });
  child.on('exit', (code) => {
    if (ready) process.exit(code ?? 0);
    console.log(
      `The desktop window could not start${lastError ? ` (${lastError})` : ''}. Serving ConstIntel to your browser instead.`,
    );
    void serveHeadless(args);
  });
}

async function serveHeadless(args: string[]): Promise<void> {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = value('--port');
  const ingestPort = value('--ingest-port');
  await startHeadless({
    dataDir: value('--data-dir'),
    port: port === undefined ? undefined : Number(port),
    ingestPort: ingestPort === undefined ? undefined : Number(ingestPort),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`constintel: ${(error as Error).message}\n`);
  process.exit(1);
});
