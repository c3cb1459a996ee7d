import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_TABLE } from '../../../main/core/db/open';
import { tempDirs } from '../../support/backend';
import { builtScript, serve, tokenOf } from '../../support/spawn';

const newDir = tempDirs();

const call = (launchUrl: string, command: string, body: unknown = {}) =>
  fetch(`${new URL(launchUrl).origin}/rpc/${command}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenOf(launchUrl)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json() as Promise<{ ok: boolean; result?: Record<string, unknown> }>);

describe('constintel serve', () => {
  it('prints the addresses, serves the app, and keeps settings across a restart', async () => {
    const dataDir = newDir();
    const first = await serve(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0']);
    expect(first.launchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
    expect(first.output()).toContain(`Data file:            ${join(dataDir, 'constintel.db')}`);
    expect((await fetch(`${first.ingestUrl}/healthz`)).status).toBe(200);
    expect(await call(first.launchUrl, 'settings.update', { brandName: 'Hilltop Deli' })).toMatchObject({ ok: true });
    expect(await first.stop()).toBe(0);

    const second = await serve(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0']);
    expect(tokenOf(second.launchUrl)).not.toBe(tokenOf(first.launchUrl));
    expect(await call(second.launchUrl, 'settings.get')).toMatchObject({ result: { brandName: 'Hilltop Deli' } });
    expect(await second.stop()).toBe(0);
  });

  it('uses CONSTINTEL_DATA_DIR when no --data-dir is given', async () => {
    const dataDir = newDir();
    const served = await serve(['serve', '--port', '0', '--ingest-port', '0'], { CONSTINTEL_DATA_DIR: dataDir });
    expect(await call(served.launchUrl, 'app.info')).toMatchObject({ result: { dataDir } });
    await served.stop();
  });

  it('explains a bad port option and exits non-zero', () => {
    const run = spawnSync(process.execPath, [builtScript('cli'), 'serve', '--port', 'fast'], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/give a port number between 0 and 65535/);
  });

  it('refuses a data file from a newer version with one clear line', async () => {
    const dataDir = newDir();
    const served = await serve(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0']);
    await served.stop();
    const raw = new Sqlite(join(dataDir, 'constintel.db'));
    raw.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES ('future', 99999999999999)`).run();
    raw.close();
    const run = spawnSync(process.execPath, [builtScript('cli'), 'serve', '--data-dir', dataDir, '--port', '0'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^constintel: .*written by a newer version of ConstIntel.*Install the newer ConstIntel/,
    );
  });
});

describe('npm start launcher', () => {
  it('with no display, says so in one line and serves the same app to the browser', async () => {
    const dataDir = newDir();
    const served = await serve(['--data-dir', dataDir, '--port', '0', '--ingest-port', '0'], {}, 'launch');
    const lines = served.output().split('\n');
    expect(lines[0]).toBe(
      'The desktop window cannot open here: there is no display to open a window on. Serving ConstIntel to your browser instead.',
    );
    expect(await call(served.launchUrl, 'app.info')).toMatchObject({ ok: true, result: { dataDir } });
    expect(await served.stop()).toBe(0);
  });

  const fakeElectron = (body: string) => {
    const file = join(newDir(), 'electron');
    writeFileSync(file, `#!/usr/bin/env node\n${body}\n`);
    chmodSync(file, 0o755);
    return { DISPLAY: ':99', CONSTINTEL_ELECTRON_PATH: file, CONSTINTEL_ELECTRON_READY_TIMEOUT_MS: '1500' };
  };
  const args = () => ['--data-dir', newDir(), '--port', '0', '--ingest-port', '0'];

  it('falls back with the reason when Electron fails on the way up', async () => {
    const env = fakeElectron("process.stderr.write('Gtk: cannot open display :99\\n', () => process.exit(1));");
    const served = await serve(args(), env, 'launch');
    expect(served.output().split('\n')[0]).toBe(
      'The desktop window could not start (Gtk: cannot open display :99). Serving ConstIntel to your browser instead.',
    );
    expect(await served.stop()).toBe(0);
  });

  it('falls back when Electron hangs without opening its window', async () => {
    const served = await serve(args(), fakeElectron('setInterval(() => {}, 1000);'), 'launch');
    expect(served.output()).toMatch(/^The desktop window could not start \(it did not open within 2 s\)\./);
    await served.stop();
  });

  it('says so and stops when ConstIntel is already open, instead of opening the data file twice', () => {
    const env = fakeElectron("console.log('CONSTINTEL_ALREADY_RUNNING');");
    const run = spawnSync(process.execPath, [builtScript('launch'), ...args()], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('ConstIntel is already open in its window.');
  });

  it('hands over to the window once it is open and exits with it', () => {
    const env = fakeElectron("console.log('CONSTINTEL_READY http://127.0.0.1:1'); console.log('window log line');");
    const run = spawnSync(process.execPath, [builtScript('launch'), ...args()], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ConstIntel is open in its window.\nwindow log line\n');
  });
});
