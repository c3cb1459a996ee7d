/**
 * An undo killed halfway. A 100,000-row sales file (20,000 customers) is imported with the built CLI; the shop had
 * one customer before, whom the file reaches too. `constintel undo-import` in a child process is killed with SIGKILL
 * once a good part is removed: the data file is consistent (every removal step whole, the job's count of removed
 * events matching what is gone) and shows the import as being undone. The app's next start goes on with it; once
 * done, nothing of the import is left, the customer from before is as they were, the history says what went, and
 * the same file imports again as it did the first time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportJobView } from '../../../shared/contract/imports';
import { parseEventOrThrow } from '../../../shared/events';
import { ingestOne, TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';

const ROWS = 100_000;
const CUSTOMERS = 20_000;
const dir = tempDir();
afterAll(() => dir.remove());

function writeFile(path: string): void {
  const lines = ['Receipt,Date,Customer,Email,Amount'];
  for (let i = 1; i <= ROWS; i++) {
    const c = i % CUSTOMERS;
    lines.push(
      `R${i},2026-0${1 + (i % 2)}-${String(1 + (i % 28)).padStart(2, '0')},Shopper ${c},shopper${c}@example.com,${(5 + (i % 40)).toFixed(2)}`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const count = (db: Sqlite.Database, sql: string) => db.prepare(sql).pluck().get() as number;

function cli(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const run = spawnSync(process.execPath, [builtScript('cli'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
  });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

describe('an undo killed halfway', () => {
  it('leaves a consistent file shown as being undone, and the next start finishes it', async () => {
    const file = join(dir.path, 'sales.csv');
    writeFile(file);
    const dataDir = join(dir.path, 'data');
    const database = join(dataDir, 'constintel.db');

    // The shop's customer from before: shopper 7, with a sale of their own.
    {
      const backend = await testBackend({ dataDir });
      try {
        ingestOne(
          backend,
          parseEventOrThrow(
            {
              type: 'purchase',
              source: 'api',
              externalId: 'before-7',
              occurredAt: '2025-12-01T10:00:00Z',
              identifiers: { email: 'shopper7@example.com' },
              payload: { orderId: 'W-7', total: 30 },
            },
            Date.parse(TEST_NOW),
          ),
        );
      } finally {
        await backend.close();
      }
    }

    const imported = cli(['import', file, '--data-dir', dataDir, '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    const first = JSON.parse(imported.stdout) as { jobId: number; eventsCreated: number; profilesCreated: number };
    expect(first).toMatchObject({ eventsCreated: ROWS, profilesCreated: CUSTOMERS - 1 });

    const child = spawn(
      process.execPath,
      [builtScript('cli'), 'undo-import', String(first.jobId), '--data-dir', dataDir, '--json'],
      { stdio: 'ignore', env: { ...process.env, CONSTINTEL_DATA_DIR: '' } },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    for (let i = 0; i < 3000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const db = new Sqlite(database, { readonly: true, fileMustExist: true });
      try {
        const removed = db.prepare('SELECT removed_events FROM import_job WHERE id = ?').pluck().get(first.jobId);
        if ((removed as number) >= ROWS / 5) break;
      } finally {
        db.close();
      }
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    {
      const db = new Sqlite(database, { readonly: true, fileMustExist: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const job = db.prepare('SELECT status, removed_events FROM import_job WHERE id = ?').get(first.jobId) as {
          status: string;
          removed_events: number;
        };
        expect(job.status).toBe('removing');
        expect(job.removed_events).toBeGreaterThanOrEqual(ROWS / 5);
        expect(job.removed_events).toBeLessThan(ROWS);
        // Each step's deletions were committed with its count: they agree exactly.
        expect(count(db, "SELECT count(*) FROM customer_raw_event WHERE source != 'api'")).toBe(
          ROWS - job.removed_events,
        );
      } finally {
        db.close();
      }
    }
    const history = cli(['import-history', '--data-dir', dataDir]);
    expect(history.stdout).toContain('being undone');

    const backend = await testBackend({ dataDir });
    try {
      let job: ImportJobView = await backend.call('imports.job', { jobId: first.jobId });
      for (let i = 0; i < 6000 && job.status === 'removing'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        job = await backend.call('imports.job', { jobId: first.jobId });
      }
      expect(job.status).toBe('removed');
      expect(job.removal).toMatchObject({ events: ROWS, customers: CUSTOMERS - 1, merges: 0, customersKept: 1 });
      const sqlite = backend.db.sqlite;
      expect(count(sqlite, 'SELECT count(*) FROM customer_raw_event')).toBe(1);
      expect(count(sqlite, 'SELECT count(*) FROM customer_profile')).toBe(1);
      expect(count(sqlite, 'SELECT count(*) FROM profile_identifier')).toBe(1);
      expect(sqlite.prepare('SELECT lifetime_value, total_orders, first_name FROM customer_profile').get()).toEqual({
        lifetime_value: 30,
        total_orders: 1,
        first_name: null,
      });
    } finally {
      await backend.close();
    }

    const listed = JSON.parse(cli(['import-history', '--json', '--data-dir', dataDir]).stdout) as ImportJobView[];
    expect(listed[0]).toMatchObject({ id: first.jobId, status: 'removed' });
    const again = cli(['import', file, '--data-dir', dataDir, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({
      eventsCreated: ROWS,
      profilesCreated: CUSTOMERS - 1,
      duplicates: 0,
    });
  }, 240_000);
});
