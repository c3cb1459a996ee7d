/**
 * `npm start`: open the desktop app; where Electron cannot start (no screen,
 * its program cannot be downloaded, it fails or hangs on the way up) say why
 * in one line and serve the same app to the browser instead.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../shared/contract/errors';
import { appRoot } from './core/paths';
import { startHeadless } from './headless';
import { displayProblem, electronSqliteBinding, findElectron } from './launch-checks';

const READY_TIMEOUT_MS = Number(process.env.CONSTINTEL_ELECTRON_READY_TIMEOUT_MS ?? 60_000);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const display = displayProblem();
  const electron = display === undefined ? findElectron() : { reason: display };
  if ('reason' in electron) return fallBack(`The desktop window cannot open here: ${electron.reason}.`, args);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (electron.packageDir) {
    const binding = electronSqliteBinding(electron.version);
    if ('reason' in binding) return fallBack(`The desktop window cannot open here: ${binding.reason}.`, args);
    env.CONSTINTEL_SQLITE_BINDING = binding.path;
  }

  const child = spawn(electron.path, [appRoot(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let state: 'starting' | 'ready' | 'done' = 'starting';
  let lastError = '';
  const giveUp = (why: string) => {
    if (state !== 'starting') return;
    state = 'done';
    clearTimeout(timer);
    // The window's process may hold the data file's lock (core/db/instance-lock.ts): the browser version starts
    // once it has exited, forced after a few seconds if it does not stop when asked.
    const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
    const exited = running ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
    if (running) {
      child.kill();
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }
    void exited.then(() => fallBack(`The desktop window could not start (${why}).`, args));
  };
  const timer = setTimeout(
    () => giveUp(`it did not open within ${Math.round(READY_TIMEOUT_MS / 1000)} s`),
    READY_TIMEOUT_MS,
  );

  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (state === 'starting' && text.includes('CONSTINTEL_ALREADY_RUNNING')) {
      state = 'done';
      clearTimeout(timer);
      console.log('ConstIntel is already open in its window.');
      return;
    }
    if (state === 'starting' && text.includes('CONSTINTEL_READY')) {
      state = 'ready';
      clearTimeout(timer);
      console.log('ConstIntel is open in its window.');
    }
    if (state === 'ready') process.stdout.write(text.replace(/^CONSTINTEL_READY.*\n?/m, ''));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (state === 'ready') process.stderr.write(text);
    else lastError = text.trim().split('\n').pop() ?? lastError;
  });
  child.once('error', (error) => giveUp(error.message));
  // 'close' comes after the child's output is fully read, so the last error line is known.
  child.on('close', (code) => {
    if (state === 'ready') process.exit(code ?? 0);
    if (state === 'done' && code === 0) process.exit(0);
    giveUp(lastError || `it stopped with code ${code}`);
  });
}

async function fallBack(line: string, args: string[]): Promise<void> {
  console.log(`${line} Serving ConstIntel to your browser instead.`);
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = value('--port');
  const ingestPort = value('--ingest-port');
  try {
    await startHeadless({
      dataDir: value('--data-dir'),
      port: port === undefined ? undefined : Number(port),
      ingestPort: ingestPort === undefined ? undefined : Number(ingestPort),
    });
  } catch (error) {
    process.stderr.write(`constintel: ${error instanceof AppError ? error.message : (error as Error).message}\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`constintel: ${(error as Error).message}\n`);
  process.exit(1);
});
