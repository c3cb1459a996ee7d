/**
 * Starting on a data folder that cannot be written, as a shop's non-admin account would meet it. The app runs as
 * an ordinary user (uid 65534, through setpriv) because root writes to read-only files anyway; the test needs root
 * to switch users, which CI has (it installs Chromium with apt-get).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../../main/core/secrets/secret-store';
import { builtScript } from '../../support/spawn';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
/** setpriv's arguments that run the rest of the command as that ordinary user, with no extra groups. */
const AS_NOBODY = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function nobodysFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'constintel-ro-'));
  made.push(dir);
  chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o700);
  return dir;
}

/** `constintel serve` as an ordinary user: stopped after it printed its link (or when it exits). */
function serveAsNobody(dataDir: string): { status: number | null; output: string } {
  const run = spawnSync(
    'setpriv',
    [
      ...AS_NOBODY,
      process.execPath,
      '-e',
      // Starts the CLI's serve, and stops it once it says it is running (a clean start), so the test need not wait.
      `process.argv.splice(1, 0, ${JSON.stringify(builtScript('cli'))});
       const write = process.stdout.write.bind(process.stdout);
       process.stdout.write = (chunk, ...rest) => {
         const ok = write(chunk, ...rest);
         if (String(chunk).includes('Press Ctrl+C to stop.')) setTimeout(() => process.kill(process.pid, 'SIGTERM'), 100);
         return ok;
       };
       await import(${JSON.stringify(builtScript('cli'))});`,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--ingest-port',
      '0',
    ],
    { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: dataDir } },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe.skipIf(!asRoot)('a data folder that cannot be written', () => {
  it('says what to do in words, leaves nothing behind that blocks the next start, and starts once fixed', () => {
    const dir = nobodysFolder();
    expect(serveAsNobody(dir).output).toContain('ConstIntel is running.');

    // The folder becomes read-only (a drive mounted read-only, permissions changed by an admin tool).
    chmodSync(dir, 0o500);
    const refused = serveAsNobody(dir);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('ConstIntel could not start: ConstIntel cannot write to its data file');
    expect(refused.output).toContain(`give your user account write access to ${dir}`);
    expect(refused.output).not.toContain('readonly database');

    // The file itself read-only: SQLite then makes a read-only -shm, which used to fail every later start.
    chmodSync(dir, 0o700);
    chmodSync(join(dir, 'constintel.db'), 0o400);
    expect(serveAsNobody(dir).status).not.toBe(0);
    expect(statSync(join(dir, 'constintel.db-shm')).mode & 0o200).toBe(0);

    // The cause is fixed: the next start is clean.
    chmodSync(join(dir, 'constintel.db'), 0o600);
    const fixed = serveAsNobody(dir);
    expect(fixed.output).toContain('ConstIntel is running.');
  });
});

describe('a secrets file ConstIntel cannot read', () => {
  it.skipIf(!asRoot)('says how to give access back, and never to delete or move it', () => {
    const dir = nobodysFolder();
    const file = join(dir, 'secrets.json');
    writeFileSync(file, '{}\n', { mode: 0o600 });
    chownSync(file, 0, 0); // another account (root) owns it: the user cannot read it
    const run = spawnSync(
      'setpriv',
      [
        ...AS_NOBODY,
        process.execPath,
        '--import',
        'tsx',
        '-e',
        `import { FileSecretStore } from ${JSON.stringify(join(process.cwd(), 'main/core/secrets/secret-store.ts'))};
         try { new FileSecretStore(${JSON.stringify(dir)}).get('x'); } catch (e) { console.log(e.message); }`,
      ],
      { encoding: 'utf8', timeout: 30_000, cwd: process.cwd() },
    );
    expect(run.stdout).toContain(
      `ConstIntel cannot read its secrets file ${file}: your user account has no permission`,
    );
    expect(run.stdout).toContain('Keep the file');
    expect(run.stdout).not.toMatch(/move it aside|delete|damaged/i);
  });

  it('a damaged one is kept: the message says to put a copy back or rename it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'constintel-secrets-'));
    made.push(dir);
    writeFileSync(join(dir, 'secrets.json'), '{"half', { mode: 0o600 });
    expect(() => new FileSecretStore(dir).get('x')).toThrow(
      /is damaged \(it is not readable JSON\)\. If you have a copy/,
    );
  });
});
