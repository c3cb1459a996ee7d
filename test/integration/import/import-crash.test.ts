/**
 * Crash safety of imports: `constintel import` in a child process is killed
 * with SIGKILL halfway through a file. The data file is consistent (every
 * committed chunk whole, the job's progress matching its events); the next
 * start shows the job as interrupted; importing the same file again completes
 * it, with every order stored exactly once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { importsOf } from '../../../main/core/import/import-service';
import { tempDir, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';

const ROWS = 40_000;
const dir = tempDir();
afterAll(() => dir.remove());

function writeFile(path: string): void {
  const lines = ['Receipt,Date,Customer,Email,Phone,Amount'];
  for (let i = 1; i <= ROWS; i++) {
    const c = i % 500;
    lines.push(
      `R${i},2026-03-${String(1 + (i % 28)).padStart(2, '0')},Shopper ${c},shopper${c}@example.com,,${(5 + (i % 40)).toFixed(2)}`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const count = (db: Sqlite.Database, sql: string) => db.prepare(sql).pluck().get() as number;

describe('an import killed halfway', () => {
  it('leaves a consistent file, shows as interrupted, and importing again completes it without duplicates', async () => {
    const file = join(dir.path, 'sales.csv');
    writeFile(file);
    const dataDir = join(dir.path, 'data');
    const database = join(dataDir, 'constintel.db');
    const child = spawn(process.execPath, [builtScript('cli'), 'import', file, '--data-dir', dataDir, '--json'], {
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    // Kill once a good part is committed (the child's job row says how far it got).
    for (let i = 0; i < 2000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      try {
        const db = new Sqlite(database, { readonly: true, fileMustExist: true });
        try {
          const read = db.prepare('SELECT rows_read FROM import_job ORDER BY id DESC LIMIT 1').pluck().get() as
            | number
            | undefined;
          if (read !== undefined && read >= ROWS / 4) break;
        } finally {
          db.close();
        }
      } catch {
        // Not created yet.
      }
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    let before = 0;
    {
      const db = new Sqlite(database, { readonly: true, fileMustExist: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const job = db.prepare('SELECT status, rows_read, events_created FROM import_job').get() as {
          status: string;
          rows_read: number;
          events_created: number;
        };
        expect(job.status).toBe('running');
        expect(job.rows_read).toBeGreaterThanOrEqual(ROWS / 4);
        expect(job.rows_read).toBeLessThan(ROWS);
        // The job's progress was committed with its events: they agree exactly.
        before = count(db, "SELECT count(*) FROM customer_raw_event WHERE event_type = 'purchase'");
        expect(before).toBe(job.events_created);
        expect(before).toBeGreaterThan(0);
        // Customers' totals: what the profiles hold plus what the import had pending is exactly what was stored
        // (mid-import, most of it is pending: it goes into the profiles when the import ends, or at the next start).
        expect(count(db, 'SELECT count(*) FROM profile_pending_totals')).toBeGreaterThan(0);
        expect(
          count(
            db,
            'SELECT (SELECT sum(total_orders) FROM customer_profile) + (SELECT coalesce(sum(orders), 0) FROM profile_pending_totals)',
          ),
        ).toBe(before);
      } finally {
        db.close();
      }
    }

    const backend = await testBackend({ dataDir });
    try {
      expect((await backend.call('imports.jobs', {}))[0]).toMatchObject({ status: 'interrupted' });
      // The start wrote the pending totals into the profiles: they add up to the stored sales.
      const sales = backend.db.sqlite;
      expect(count(sales, 'SELECT count(*) FROM profile_pending_totals')).toBe(0);
      expect(count(sales, 'SELECT sum(total_orders) FROM customer_profile')).toBe(before);
      expect(count(sales, 'SELECT round(sum(lifetime_value), 2) FROM customer_profile')).toBe(
        count(
          sales,
          "SELECT round(sum(payload ->> '$.total'), 2) FROM customer_raw_event WHERE event_type = 'purchase'",
        ),
      );
      const again = await importsOf(backend.ctx).addPath(file);
      const { jobId } = await backend.call('imports.start', { fileId: again.fileId });
      let job = await backend.call('imports.job', { jobId });
      for (let i = 0; i < 3000 && job.status === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        job = await backend.call('imports.job', { jobId });
      }
      expect(job.status).toBe('completed');
      expect(job.rowsRead).toBe(ROWS);
      // What the killed run stored is recognised, not stored again.
      expect(job.duplicates).toBe(before);
      expect(job.duplicates + job.eventsCreated).toBe(ROWS);
      const sqlite = backend.db.sqlite;
      expect(count(sqlite, "SELECT count(*) FROM customer_raw_event WHERE event_type = 'purchase'")).toBe(ROWS);
      expect(
        count(sqlite, "SELECT count(DISTINCT external_id) FROM customer_raw_event WHERE event_type = 'purchase'"),
      ).toBe(ROWS);
      expect(count(sqlite, 'SELECT count(*) FROM customer_profile')).toBe(500);
      expect(count(sqlite, 'SELECT count(*) FROM profile_pending_totals')).toBe(0);
      expect(count(sqlite, 'SELECT sum(total_orders) FROM customer_profile')).toBe(ROWS);
    } finally {
      await backend.close();
    }
  }, 120_000);
});
