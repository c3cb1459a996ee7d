/**
 * Exactly once across SIGKILL, with real processes on a real data file. A backend process (test/support/
 * stream-child.ts: createBackend plus one test subscriber) consumes a backlog and kills itself with SIGKILL in
 * the middle of a subscriber's transaction, or between an outbox send and its `sent`; a second process on the
 * same folder finishes. A `database` subscriber ends with exactly one row per event, for single events and for
 * an import chunk's range alike; an `outside` one never sends anything twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../../main/core/paths';
import { ingestOne, tempDirs, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { builtScript } from '../../support/spawn';
import { SEEN_TABLE } from '../../support/streams';

const newDir = tempDirs();

function runChild(env: Record<string, string>): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(appRoot(), 'test/support/stream-child.ts')], {
    cwd: appRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
}

function read<T>(dataDir: string, run: (db: Sqlite.Database) => T): T {
  const db = new Sqlite(join(dataDir, 'constintel.db'), { readonly: true, fileMustExist: true });
  try {
    return run(db);
  } finally {
    db.close();
  }
}

/** Event ids seen more than once, and events never seen. */
function exactlyOnce(db: Sqlite.Database): { twice: number[]; missing: number[] } {
  const twice = db
    .prepare(`SELECT event_id FROM ${SEEN_TABLE} GROUP BY event_id HAVING count(*) > 1`)
    .pluck()
    .all() as number[];
  const missing = db
    .prepare(`SELECT id FROM customer_raw_event WHERE id NOT IN (SELECT event_id FROM ${SEEN_TABLE})`)
    .pluck()
    .all() as number[];
  return { twice, missing };
}

describe('stream subscribers across a SIGKILL', () => {
  it('a database subscriber killed mid-transaction on live events ends with exactly one row per event', async () => {
    const dataDir = newDir();
    const backend = await testBackend({ dataDir });
    for (let i = 0; i < 2_000; i++) ingestOne(backend, ev({ identifiers: { email: `p${i % 300}@example.com` } }));
    await backend.close();

    const env = { STREAM_CHILD_DATA_DIR: dataDir, STREAM_CHILD_MODE: 'seen', STREAM_CHILD_BATCH: '100' };
    const killed = await runChild({ ...env, STREAM_CHILD_KILL_AFTER: '1250' });
    expect(killed.signal, killed.out).toBe('SIGKILL');
    // Only whole batches were kept: the one the kill cut into rolled back with its offset.
    const before = read(dataDir, (db) => db.prepare(`SELECT count(*) FROM ${SEEN_TABLE}`).pluck().get() as number);
    expect(before).toBe(1_200);

    const finished = await runChild(env);
    expect(finished.code, finished.out).toBe(0);
    expect(finished.out).toContain('"caughtUp":true');
    read(dataDir, (db) => {
      expect(exactlyOnce(db)).toEqual({ twice: [], missing: [] });
      expect(db.prepare(`SELECT count(*) FROM ${SEEN_TABLE}`).pluck().get()).toBe(2_000);
      expect(db.prepare(`SELECT DISTINCT origin FROM ${SEEN_TABLE}`).pluck().all()).toEqual(['live']);
    });
  }, 60_000);

  it('the same for an import chunk’s range messages, killed in the middle of a range', async () => {
    const dir = newDir();
    const dataDir = join(dir, 'data');
    const file = join(dir, 'sales.csv');
    const lines = ['Receipt,Date,Customer,Email,Phone,Amount'];
    for (let i = 1; i <= 5_000; i++)
      lines.push(
        `R${i},2026-02-${String(1 + (i % 27)).padStart(2, '0')},Shopper ${i % 400},s${i % 400}@example.com,,9.50`,
      );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const imported = spawnSync(
      process.execPath,
      [builtScript('cli'), 'import', file, '--data-dir', dataDir, '--json'],
      {
        encoding: 'utf8',
        env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
      },
    );
    expect(imported.status, imported.stdout + imported.stderr).toBe(0);
    const ranges = read(dataDir, (db) => {
      expect(db.prepare('SELECT count(*) FROM customer_raw_event').pluck().get()).toBe(5_000);
      return db
        .prepare("SELECT payload FROM stream_message WHERE stream = 'events.normalized'")
        .pluck()
        .all()
        .map((p) => JSON.parse(p as string) as { kind: string; origin: string });
    });
    // One message per committed chunk, not one per row.
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges.length).toBeLessThan(20);
    expect(ranges.every((r) => r.kind === 'range' && r.origin === 'import')).toBe(true);

    const env = { STREAM_CHILD_DATA_DIR: dataDir, STREAM_CHILD_MODE: 'seen', STREAM_CHILD_BATCH: '1' };
    const killed = await runChild({ ...env, STREAM_CHILD_KILL_AFTER: '2500' });
    expect(killed.signal, killed.out).toBe('SIGKILL');
    const before = read(dataDir, (db) => db.prepare(`SELECT count(*) FROM ${SEEN_TABLE}`).pluck().get() as number);
    expect(before).toBeLessThan(2_500);

    const finished = await runChild(env);
    expect(finished.code, finished.out).toBe(0);
    read(dataDir, (db) => {
      expect(exactlyOnce(db)).toEqual({ twice: [], missing: [] });
      expect(db.prepare(`SELECT count(*) FROM ${SEEN_TABLE}`).pluck().get()).toBe(5_000);
      expect(db.prepare(`SELECT DISTINCT origin FROM ${SEEN_TABLE}`).pluck().all()).toEqual(['import']);
    });
  }, 60_000);

  it('an outside subscriber killed between sending and sent never sends again; what was planned is sent once', async () => {
    const dataDir = newDir();
    const backend = await testBackend({ dataDir });
    for (let i = 0; i < 50; i++) ingestOne(backend, ev({ identifiers: { email: `o${i}@example.com` } }));
    await backend.close();
    const received: string[] = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        STREAM_CHILD_DATA_DIR: dataDir,
        STREAM_CHILD_MODE: 'outbox',
        STREAM_CHILD_SINK: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`,
      };
      const killed = await runChild({ ...env, STREAM_CHILD_KILL_AFTER: '20' });
      expect(killed.signal, killed.out).toBe('SIGKILL');
      expect(received).toHaveLength(20);
      const statuses = () =>
        read(dataDir, (db) =>
          Object.fromEntries(
            db
              .prepare("SELECT status, count(*) FROM stream_outbox WHERE subscriber = 'test.notify' GROUP BY status")
              .raw()
              .all() as [string, number][],
          ),
        );
      expect(statuses()).toEqual({ sent: 19, sending: 1, planned: 30 });

      const finished = await runChild(env);
      expect(finished.code, finished.out).toBe(0);
      expect(statuses()).toEqual({ sent: 49, unknown: 1 });
      expect(received).toHaveLength(50);
      expect(new Set(received).size).toBe(50);
    } finally {
      sink.close();
    }
  }, 60_000);
});
