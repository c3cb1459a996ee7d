/**
 * One running app per data file (db/instance-lock.ts), and a running app that notices what a command in a
 * terminal wrote (db/data-version.ts). Real processes: `constintel serve` and `constintel import`.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeInstanceLock } from '../../../main/core/db/instance-lock';
import { tempDirs } from '../../support/backend';
import { builtScript, rpcOf, serve } from '../../support/spawn';

const newDir = tempDirs();
const serveArgs = (dataDir: string) => ['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0'];

describe('one app per data file', () => {
  it('is held once; a second taker is told who holds it; released, it can be taken again', () => {
    const file = join(newDir(), 'constintel.db');
    const first = takeInstanceLock(file, new Date('2026-12-06T10:00:00Z'), 4242);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    first.lock.setUrl('http://127.0.0.1:4310');
    const second = takeInstanceLock(file, new Date());
    expect(second).toEqual({
      ok: false,
      holder: { pid: 4242, startedAt: '2026-12-06T10:00:00.000Z', url: 'http://127.0.0.1:4310' },
    });
    first.lock.release();
    const third = takeInstanceLock(file, new Date());
    expect(third.ok).toBe(true);
    if (third.ok) third.lock.release();
  });

  it('a second serve exits non-zero naming the holder; after kill -9 of the holder a new one starts', async () => {
    const dataDir = newDir();
    const first = await serve(serveArgs(dataDir));
    const second = spawnSync(process.execPath, [builtScript('cli'), ...serveArgs(dataDir)], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain(`ConstIntel is already running on the data file ${join(dataDir, 'constintel.db')}`);
    expect(second.stderr).toContain(`process ${first.child.pid}`);
    expect(second.stderr).toContain(new URL(first.launchUrl).origin);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const third = await serve(serveArgs(dataDir));
    expect(await rpcOf(third.launchUrl)('app.info')).toMatchObject({ dataDir });
    expect(await third.stop()).toBe(0);
  });

  it('a CLI import beside the running app shows on its pages at once, cached pages included', async () => {
    const dataDir = newDir();
    const app = await serve(serveArgs(dataDir));
    try {
      const rpc = rpcOf(app.launchUrl);
      const importCsv = (name: string, rows: string[]) => {
        const path = join(dataDir, name);
        writeFileSync(path, ['Receipt,Date,Customer,Email,Amount', ...rows].join('\n'));
        const run = spawnSync(process.execPath, [builtScript('cli'), 'import', path, '--data-dir', dataDir], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(run.status, run.stderr).toBe(0);
      };
      importCsv('first.csv', ['R-1,2026-02-01,Ann Lee,ann.lee@example.com,12.50']);
      const search = await rpc<{ items: { id: number }[] }>('customers.search', { query: 'ann.lee@example.com' });
      const id = search.items[0]?.id;
      expect(id).toBeDefined();
      // The page is cached for minutes once read…
      const before = await rpc<{ customer: { lifetimeValue: number } }>('customers.get', { id });
      expect(before.customer.lifetimeValue).toBe(12.5);
      importCsv('second.csv', ['R-2,2026-02-10,Ann Lee,ann.lee@example.com,30.00']);
      // …and still shows the terminal's import within about a second.
      const deadline = Date.now() + 5_000;
      let value = before.customer.lifetimeValue;
      while (value === 12.5 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        value = (await rpc<{ customer: { lifetimeValue: number } }>('customers.get', { id })).customer.lifetimeValue;
      }
      expect(value).toBe(42.5);
    } finally {
      await app.stop();
    }
  });
});
