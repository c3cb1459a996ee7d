/**
 * Backups with real processes on real files: `constintel backup` beside a served app taking event API posts at
 * about 100 a second; a restore from the app (it restarts in place) and from the terminal (refused while the app
 * runs, naming it); a damaged data file refused at start with the way back named.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../support/backend';
import { builtScript, rpcOf, type Served, serve } from '../../../support/spawn';

const newDir = tempDirs();
const serveArgs = (dataDir: string) => ['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0'];
const cli = (args: string[]) =>
  spawnSync(process.execPath, [builtScript('cli'), ...args], { encoding: 'utf8', timeout: 60_000 });

const event = (id: string) => ({
  type: 'purchase',
  occurredAt: '2026-02-01T10:00:00Z',
  source: 'api',
  externalId: id,
  identifiers: { email: `${id}@example.com` },
  payload: { total: 10, currency: 'GBP', note: 'x'.repeat(400) },
});

function apiKey(dataDir: string): string {
  const run = cli(['api-key', '--data-dir', dataDir]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim();
}

function poster(app: Served, key: string) {
  return async (id: string): Promise<boolean> => {
    const response = await fetch(`${app.ingestUrl}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify([event(id)]),
    });
    return response.status === 202;
  };
}

const storedIds = (file: string): Set<string> => {
  const db = new Sqlite(file, { readonly: true });
  try {
    return new Set(
      db.prepare("SELECT external_id FROM customer_raw_event WHERE source = 'api'").pluck().all() as string[],
    );
  } finally {
    db.close();
  }
};

describe('constintel backup beside the running app', () => {
  it('completes while events arrive at ~100/s, passes integrity_check and holds every one acknowledged before it began', async () => {
    const dataDir = newDir();
    const app = await serve(serveArgs(dataDir));
    try {
      const post = poster(app, apiKey(dataDir));
      const acked: { id: string; at: number }[] = [];
      const inFlight: Promise<void>[] = [];
      let n = 0;
      const timer = setInterval(() => {
        const id = `ev-${n++}`;
        inFlight.push(
          post(id).then((ok) => {
            if (ok) acked.push({ id, at: Date.now() });
          }),
        );
      }, 10);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const began = Date.now();
      const backup = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [builtScript('cli'), 'backup', '--data-dir', dataDir]);
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
        });
        child.once('exit', (code) => resolve({ code, out, err }));
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(timer);
      await Promise.all(inFlight);

      expect(backup.code, backup.err).toBe(0);
      const file = backup.out.trim();
      expect(file).toMatch(/backups\/constintel-\d{4}-\d{2}-\d{2}-\d{6}-manual\.db$/);
      const before = acked.filter((a) => a.at < began).map((a) => a.id);
      // About 150 in the 1.5 s before; the posts went on while it ran.
      expect(before.length).toBeGreaterThan(80);
      expect(acked.length).toBeGreaterThan(before.length);
      const copy = new Sqlite(file, { readonly: true });
      expect(copy.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      copy.close();
      const inBackup = storedIds(file);
      expect(before.filter((id) => !inBackup.has(id))).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe('restore', () => {
  it('from the app: back up, change the data, restore; the old data is back and the file that was current is kept aside', async () => {
    const dataDir = newDir();
    const app = await serve(serveArgs(dataDir));
    try {
      const rpc = rpcOf(app.launchUrl);
      const post = poster(app, apiKey(dataDir));
      expect(await post('before')).toBe(true);
      const made = await rpc<{ backup: { name: string } }>('backups.create');
      expect(await post('after')).toBe(true);
      const listed = await rpc<{ backups: { name: string; kind: string }[] }>('backups.list');
      expect(listed.backups.map((b) => b.name)).toContain(made.backup.name);

      const restoring = await rpc<{ message: string }>('backups.restore', { name: made.backup.name });
      expect(restoring.message).toContain('ConstIntel is restarting on the backup');
      // The same address and access key answer again once it has restarted on the restored file.
      let info: { warnings: string[]; startedAt: string } | undefined;
      const deadline = Date.now() + 20_000;
      while (!info?.warnings.some((w) => w.startsWith('Restored')) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        info = await rpc<{ warnings: string[]; startedAt: string }>('app.info').catch(() => undefined);
      }
      expect(info?.warnings.join(' ')).toContain(`Restored ${join(dataDir, 'backups', made.backup.name)}`);

      const search = async (q: string) =>
        (await rpc<{ total: number }>('customers.search', { query: `${q}@example.com` })).total;
      expect(await search('before')).toBe(1);
      expect(await search('after')).toBe(0);
      const aside = readdirSync(dataDir).find((n) => n.startsWith('constintel.db.before-restore-'));
      expect(aside).toBeDefined();
      expect(storedIds(join(dataDir, aside ?? ''))).toEqual(new Set(['before', 'after']));
      const kinds = (await rpc<{ backups: { kind: string }[] }>('backups.list')).backups.map((b) => b.kind);
      expect(kinds).toContain('before-restore');
      // It keeps taking events on the restored file.
      expect(await post('later')).toBe(true);
    } finally {
      await app.stop();
    }
  });

  it('from the terminal: refused while serve runs on the folder, naming it; done once it has stopped', async () => {
    const dataDir = newDir();
    const app = await serve(serveArgs(dataDir));
    let stopped = false;
    try {
      const backup = cli(['backup', '--data-dir', dataDir, '--to', join(dataDir, 'elsewhere')]);
      expect(backup.status, backup.stderr).toBe(0);
      const file = backup.stdout.trim();
      expect(file.startsWith(join(dataDir, 'elsewhere'))).toBe(true);

      const refused = cli(['restore', file, '--data-dir', dataDir]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain(`ConstIntel is running on the data file ${join(dataDir, 'constintel.db')}`);
      expect(refused.stderr).toContain(`process ${app.child.pid}`);
      expect(refused.stderr).toContain('nothing was restored');

      expect(await app.stop()).toBe(0);
      stopped = true;
      const done = cli(['restore', file, '--data-dir', dataDir]);
      expect(done.status, done.stderr).toBe(0);
      expect(done.stdout).toContain(`Restored ${file}`);
      expect(done.stdout).toMatch(/The file that was in use is kept as .*constintel\.db\.before-restore-/);
      const again = await serve(serveArgs(dataDir));
      expect(await again.stop()).toBe(0);
    } finally {
      if (!stopped) await app.stop();
    }
  });
});

describe('a damaged data file', () => {
  it('is refused at start, naming the newest backup and the exact restore command, which then works', async () => {
    const dataDir = newDir();
    const app = await serve(serveArgs(dataDir));
    const post = poster(app, apiKey(dataDir));
    for (let i = 0; i < 300; i++) expect(await post(`d-${i}`)).toBe(true);
    expect(await app.stop()).toBe(0);
    const backup = cli(['backup', '--data-dir', dataDir]);
    expect(backup.status, backup.stderr).toBe(0);
    const newest = backup.stdout.trim();

    // Bytes overwritten in the middle of the file, as a failing disk does.
    const file = join(dataDir, 'constintel.db');
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    const pages = statSync(file).size / 4096;
    const fd = openSync(file, 'r+');
    for (let page = 2; page < pages; page += 3) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, page * 4096);
    closeSync(fd);

    const start = cli(serveArgs(dataDir));
    expect(start.status).not.toBe(0);
    expect(start.stderr).toContain('is damaged');
    expect(start.stderr).toContain(`Your newest backup is ${newest}`);
    const command = `constintel restore "${newest}" --data-dir "${dataDir}"`;
    expect(start.stderr).toContain(command);

    const restored = cli(['restore', newest, '--data-dir', dataDir]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('It could not be read to make a backup of it (it is damaged).');
    const again = await serve(serveArgs(dataDir));
    try {
      const total = await rpcOf(again.launchUrl)<{ total: number }>('customers.search', { limit: 1 });
      expect(total.total).toBe(300);
    } finally {
      await again.stop();
    }
  });
});
