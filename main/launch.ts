/**
 * `npm start`: open the desktop app; where Electron cannot start (its program
 * cannot be downloaded, or there is no screen) say why in one line and serve
 * the same app to the browser instead.
 */
import { spawn } from 'node:child_process';
import { appRoot } from './core/paths';
import { startHeadless } from './headless';
import { displayProblem, findElectron } from './launch-checks';

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
  let fellBack = false;
  const fallBack = () => {
    if (fellBack) return;
    fellBack = true;
    console.log(
      `The desktop window could not start${lastError ? ` (${lastError})` : ''}. Serving ConstIntel to your browser instead.`,
    );
    void serveHeadless(args);
  };
  child.once('error', (error) => {
    lastError = error.message;
    fallBack();
  });
  child.on('exit', (code) => {
    if (ready) process.exit(code ?? 0);
    fallBack();
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
