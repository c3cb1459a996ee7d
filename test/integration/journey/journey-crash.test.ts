/**
 * A journey recompute killed (SIGKILL) mid-update, with a real process and a real data file: the built
 * `constintel journeys recompute` places 12,000 customers (six transactions of 2,000). As soon as the first batch
 * is committed the test takes the data file's write lock from its own connection, so the CLI is stopped between two
 * batches with the rest still to write, and kills it there (SIGKILL, so nothing of the process runs after). Then:
 * - what the killed run left is whole batches: every customer with a journey row has their stage change beside it,
 *   and no one else has either;
 * - a rerun records each remaining change once: exactly one transition per customer, to the stage they are in;
 * - a third run records nothing (no change happened twice).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { builtScript } from '../../support/spawn';

const CUSTOMERS = 12_000;
const DAY = 86_400_000;
const dir = tempDir('constintel-journey-crash-');
const file = () => join(dir.path, 'constintel.db');

function cli(args: string[]) {
  const child = spawn(process.execPath, [builtScript('cli'), ...args, '--data-dir', dir.path], {
    env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => out };
}

beforeAll(async () => {
  // Till customers by loyalty card: a third bought once, the others four times at a steady rhythm (stages differ).
  const backend = await testBackend({ dataDir: dir.path });
  try {
    const now = Date.now();
    const events = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      const visits = c % 3 === 0 ? 1 : 4;
      for (let v = 0; v < visits; v++)
        events.push(
          ev({
            type: 'purchase',
            source: 'pos',
            identifiers: { loyalty_id: `CARD${c}` },
            occurredAt: new Date(now - (5 + v * 14 + (c % 7)) * DAY).toISOString(),
            payload: { total: 10 + (c % 40), currency: 'GBP' },
          }),
        );
    }
    for (let i = 0; i < events.length; i += 5_000) ingestEvents(backend.ctx, events.slice(i, i + 5_000));
  } finally {
    await backend.close();
  }
}, 120_000);
afterAll(() => dir.remove());

describe('a journey recompute killed mid-update', () => {
  it('leaves whole batches; the rerun records each stage change exactly once', async () => {
    const watcher = new Sqlite(file());
    watcher.pragma('busy_timeout = 10000');
    const count = (sql: string) => watcher.prepare(sql).pluck().get() as number;
    try {
      expect(count('SELECT count(*) FROM customer_profile')).toBe(CUSTOMERS);
      // Run the CLI; as soon as its first batch is committed, take the write lock (tried again and again without
      // waiting: SQLite's own busy wait sleeps for milliseconds, long enough for the CLI to commit every batch) and
      // kill it while it cannot commit another. Should it still finish first on a busy machine, the journeys are
      // cleared and it is tried again.
      watcher.pragma('busy_timeout = 0');
      let rowsAtKill = CUSTOMERS;
      for (let attempt = 0; attempt < 5 && rowsAtKill === CUSTOMERS; attempt++) {
        watcher.exec('DELETE FROM customer_journey_transition; DELETE FROM customer_journey; DELETE FROM journey_shop');
        const run = cli(['journeys', 'recompute', '--json']);
        const deadline = Date.now() + 60_000;
        // A tight synchronous loop of reads (a few µs each): a batch of 2,000 commits within milliseconds of the last.
        while (count('SELECT count(*) FROM customer_journey') === 0)
          if (Date.now() > deadline) throw new Error(`No batch written within 60 s:\n${run.output()}`);
        for (;;) {
          try {
            watcher.exec('BEGIN IMMEDIATE');
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
          }
        }
        rowsAtKill = count('SELECT count(*) FROM customer_journey');
        run.child.kill('SIGKILL');
        const killed = await run.exited;
        watcher.exec('ROLLBACK');
        if (rowsAtKill < CUSTOMERS) expect(killed.signal, run.output()).toBe('SIGKILL');
      }
      watcher.pragma('busy_timeout = 10000');

      // Killed between batches with some written and some not.
      expect(rowsAtKill).toBeGreaterThan(0);
      expect(rowsAtKill).toBeLessThan(CUSTOMERS);
      expect(rowsAtKill % 2_000).toBe(0);
      // Whole batches: each row written has its stage change beside it, and nothing else was recorded.
      expect(count('SELECT count(*) FROM customer_journey_transition')).toBe(rowsAtKill);
      expect(
        count(
          `SELECT count(*) FROM customer_journey j
           WHERE NOT EXISTS (SELECT 1 FROM customer_journey_transition t WHERE t.profile_id = j.profile_id)`,
        ),
      ).toBe(0);

      const rerun = cli(['journeys', 'recompute', '--json']);
      expect((await rerun.exited).code, rerun.output()).toBe(0);
      const result = JSON.parse(rerun.output()) as { customers: number; changed: number };
      expect(result.customers).toBe(CUSTOMERS);
      expect(result.changed).toBe(CUSTOMERS - rowsAtKill);
      expect(count('SELECT count(*) FROM customer_journey')).toBe(CUSTOMERS);
      expect(count('SELECT count(*) FROM customer_journey_transition')).toBe(CUSTOMERS);
      expect(count('SELECT count(DISTINCT profile_id) FROM customer_journey_transition')).toBe(CUSTOMERS);
      // Each change is to the stage the customer is in; the stages differ as the history does.
      expect(
        count(
          `SELECT count(*) FROM customer_journey j JOIN customer_journey_transition t ON t.profile_id = j.profile_id
           WHERE t.to_stage <> j.stage OR t.from_stage IS NOT NULL`,
        ),
      ).toBe(0);
      expect(count('SELECT count(DISTINCT stage) FROM customer_journey')).toBeGreaterThan(1);

      const third = cli(['journeys', 'recompute', '--json']);
      expect((await third.exited).code, third.output()).toBe(0);
      expect((JSON.parse(third.output()) as { changed: number }).changed).toBe(0);
      expect(count('SELECT count(*) FROM customer_journey_transition')).toBe(CUSTOMERS);
    } finally {
      watcher.close();
    }
  }, 180_000);
});
