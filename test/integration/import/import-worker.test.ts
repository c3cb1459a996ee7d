/**
 * Imports started from the app run in their own thread (the built
 * import-worker.js) on their own connection to the data file: the app keeps
 * answering, Cancel stops after the chunk in hand with everything so far kept,
 * and the customers an import changed are not served stale from the 360 cache.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WAL_CHECKPOINT_PAGES } from '../../../main/core/db/open';
import { importsOf } from '../../../main/core/import/import-service';
import { tempDir, testBackend } from '../../support/backend';

const dir = tempDir();
afterAll(() => dir.remove());

function salesFile(name: string, rows: number): string {
  const path = join(dir.path, name);
  const lines = ['Receipt,Date,Customer,Email,Amount'];
  for (let i = 1; i <= rows; i++) {
    lines.push(
      `${name}-${i},2026-03-0${1 + (i % 9)},Shopper ${i % 300},shopper${i % 300}@example.com,${(2 + (i % 20)).toFixed(2)}`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('imports in their own thread', () => {
  it('can be cancelled: it stops after the chunk in hand and keeps what it stored', async () => {
    const backend = await testBackend({ dataDir: join(dir.path, 'cancel') });
    try {
      const { fileId } = importsOf(backend.ctx).addPath(salesFile('big', 60_000));
      const { jobId } = await backend.call('imports.start', { fileId });
      let job = await backend.call('imports.job', { jobId });
      while (job.status === 'running' && job.rowsRead === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        job = await backend.call('imports.job', { jobId });
      }
      // The app answers while the import runs, and leaves checkpoints to the import's connection meanwhile.
      expect((await backend.call('app.info', {})).version).toBeTruthy();
      expect(backend.db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      expect(await backend.call('imports.cancel', { jobId })).toEqual({ cancelled: true });
      for (let i = 0; i < 1000 && job.status === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        job = await backend.call('imports.job', { jobId });
      }
      expect(job.status).toBe('cancelled');
      expect(job.rowsRead).toBeGreaterThan(0);
      expect(job.rowsRead).toBeLessThan(60_000);
      const stored = backend.db.sqlite.prepare('SELECT count(*) FROM customer_raw_event').pluck().get() as number;
      expect(stored).toBe(job.eventsCreated);
      // Cancelled or not, what it added to customers' totals is in their profiles.
      const sql = backend.db.sqlite;
      expect(sql.prepare('SELECT count(*) FROM profile_pending_totals').pluck().get()).toBe(0);
      expect(sql.prepare('SELECT sum(total_orders) FROM customer_profile').pluck().get()).toBe(stored);
      // Once its thread has stopped, this connection checkpoints again.
      for (let i = 0; i < 500 && sql.pragma('wal_autocheckpoint', { simple: true }) === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(sql.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    } finally {
      await backend.close();
    }
  });

  it('lets the app close while an import runs in its thread', async () => {
    const backend = await testBackend({ dataDir: join(dir.path, 'quitting') });
    const { fileId } = importsOf(backend.ctx).addPath(salesFile('quit', 60_000));
    const { jobId } = await backend.call('imports.start', { fileId });
    let job = await backend.call('imports.job', { jobId });
    while (job.status === 'running' && job.rowsRead === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      job = await backend.call('imports.job', { jobId });
    }
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      await backend.close();
      // The thread stops after the data file is closed; what it hands back must not touch the closed connection.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      process.off('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
  });

  it('customers it changes are read fresh on their 360 page', async () => {
    const backend = await testBackend({ dataDir: join(dir.path, 'cache') });
    try {
      const first = importsOf(backend.ctx).addPath(salesFile('one', 1));
      let { jobId } = await backend.call('imports.start', { fileId: first.fileId });
      const waitFor = async (id: number) => {
        let job = await backend.call('imports.job', { jobId: id });
        for (let i = 0; i < 1000 && job.status === 'running'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          job = await backend.call('imports.job', { jobId: id });
        }
        return job;
      };
      expect((await waitFor(jobId)).status).toBe('completed');
      const [shopper] = (await backend.call('customers.search', { query: 'shopper1@example.com' })).items;
      const before = await backend.call('customers.get', { id: shopper?.id ?? 0 });
      expect(before).toMatchObject({ status: 'found', customer: { totalOrders: 1 } });
      // A second file with more of the same shopper's sales: the cached page must not be served.
      ({ jobId } = await backend.call('imports.start', {
        fileId: importsOf(backend.ctx).addPath(salesFile('two', 900)).fileId,
      }));
      expect((await waitFor(jobId)).status).toBe('completed');
      // The worker's "changed" messages arrive just after its commits.
      let after = await backend.call('customers.get', { id: shopper?.id ?? 0 });
      for (let i = 0; i < 100 && after.status === 'found' && after.customer.totalOrders === 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        after = await backend.call('customers.get', { id: shopper?.id ?? 0 });
      }
      expect(after).toMatchObject({ status: 'found', customer: { totalOrders: 4 } });
    } finally {
      await backend.close();
    }
  });
});
