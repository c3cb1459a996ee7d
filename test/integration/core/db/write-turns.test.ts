/**
 * Turns at the write lock (write-turns.ts). A thread standing in for an import holds the lock while it writes 200
 * groups of rows. A write on the app's thread through `inTurn` does not wait on the lock in its thread (timers keep
 * firing meanwhile), raises the flag, and goes between two groups: when it has committed, the other thread has not
 * finished; the other thread yielded once for it and then finished its rows.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../main/core/db/open';
import { inTurn, turnWanted, writeTurnsOf } from '../../../../main/core/db/write-turns';
import { tempDir } from '../../../support/backend';

const dir = tempDir();
afterAll(() => dir.remove());

describe('turns at the write lock', () => {
  it('a write on the app thread goes between two groups of the import’s rows, without blocking its thread', async () => {
    const file = join(dir.path, 'turns.db');
    const db = openDatabase(file);
    db.sqlite.exec('CREATE TABLE turn_row (id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)');
    const flags = writeTurnsOf(db);
    const worker = new Worker(new URL('../../../support/turns-worker.mjs', import.meta.url), {
      workerData: { file, flags, segments: 200 },
    });
    const messages: { type: string; yielded?: number }[] = [];
    const done = new Promise<{ yielded: number }>((resolve, reject) => {
      worker.on('message', (m: { type: string; yielded: number }) => {
        messages.push(m);
        if (m.type === 'done') resolve(m);
      });
      worker.on('error', reject);
    });
    while (!messages.some((m) => m.type === 'locked')) await new Promise((resolve) => setTimeout(resolve, 5));

    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 2);
    let flagSeen = false;
    const probe = setInterval(() => {
      if (turnWanted(flags)) flagSeen = true;
    }, 1);
    const importRowsWhenMine = await inTurn(db, () =>
      db.sqlite.transaction(() => {
        db.sqlite.prepare("INSERT INTO turn_row (who, n) VALUES ('app', 0)").run();
        return db.sqlite.prepare("SELECT count(*) FROM turn_row WHERE who = 'import'").pluck().get() as number;
      })(),
    );
    clearInterval(timer);
    clearInterval(probe);
    expect(flagSeen).toBe(true);
    expect(ticks).toBeGreaterThan(0);
    expect(importRowsWhenMine).toBeGreaterThan(0);
    expect(importRowsWhenMine).toBeLessThan(200 * 50);
    const { yielded } = await done;
    expect(yielded).toBe(1);
    expect(db.sqlite.prepare('SELECT count(*) FROM turn_row').pluck().get()).toBe(200 * 50 + 1);
    expect(turnWanted(flags)).toBe(false);
    await worker.terminate();
    db.close();
  });
});
