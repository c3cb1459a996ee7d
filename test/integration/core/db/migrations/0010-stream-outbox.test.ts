/**
 * Migration 0010: the stream outbox table, and stream messages written before streams were typed rewritten into
 * their streams' schemas (old single events and import ranges marked `import`: who wrote them cannot be told, and
 * `import` is the side on which nothing acting on live events only acts on history).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../main/core/db/open';
import { migrationsDir } from '../../../../../main/core/paths';
import type { StreamName } from '../../../../../main/core/streams/schemas';
import { parseMessage } from '../../../../../main/core/streams/streams';
import { tempDirs } from '../../../../support/backend';

const newDir = tempDirs();

/** The app's migrations up to and including `last` (journal index), in a folder of their own. */
function migrationsUpTo(last: number): string {
  const folder = join(newDir(), 'migrations');
  mkdirSync(folder);
  cpSync(migrationsDir(), folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

const OLD: [StreamName, string | null, unknown][] = [
  ['events.raw', '7', { eventId: 7, type: 'purchase', source: 'shopify' }],
  ['events.normalized', '7', { eventId: 7, profileId: 3, type: 'purchase', occurredAt: 1767225600000 }],
  ['events.normalized', '8', { eventId: 8, profileId: null, type: 'visit', occurredAt: 1767225600000 }],
  ['events.raw', '9-20', { fromEventId: 9, toEventId: 20, source: 'pos' }],
  ['events.normalized', '9-20', { fromEventId: 9, toEventId: 20, profileIds: [3, 4] }],
  ['profiles.merge_requests', '2', { reviewId: 2 }],
  ['predictions.requests', '3', { profileId: 3, reason: 'purchase' }],
  ['predictions.requests', null, { profileIds: [3, 4], reason: 'import' }],
];

describe('migration 0010 (stream outbox, typed stream messages)', () => {
  it('rewrites the messages of earlier versions into their schemas and adds the outbox', () => {
    const file = join(newDir(), 'constintel.db');
    const before = openDatabase(file, { migrationsFolder: migrationsUpTo(9) });
    const insert = before.sqlite.prepare(
      'INSERT INTO stream_message (stream, key, payload, created_at) VALUES (?, ?, ?, 1)',
    );
    for (const [stream, key, payload] of OLD) insert.run(stream, key, JSON.stringify(payload));
    expect(before.sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'stream_outbox'").pluck().get()).toBe(
      0,
    );
    before.close();

    const db = openDatabase(file);
    const rows = db.sqlite
      .prepare('SELECT id, stream, key, payload, created_at FROM stream_message ORDER BY id')
      .all() as { id: number; stream: StreamName; key: string | null; payload: string; created_at: number }[];
    expect(rows.map((row) => parseMessage(row.stream, row).payload)).toEqual([
      { kind: 'event', eventId: 7, type: 'purchase', source: 'shopify', origin: 'import' },
      { kind: 'event', eventId: 7, profileId: 3, type: 'purchase', occurredAt: 1767225600000, origin: 'import' },
      { kind: 'event', eventId: 8, profileId: null, type: 'visit', occurredAt: 1767225600000, origin: 'import' },
      { kind: 'range', firstEventId: 9, lastEventId: 20, origin: 'import' },
      { kind: 'range', firstEventId: 9, lastEventId: 20, origin: 'import' },
      { reviewId: 2 },
      { profileIds: [3], reason: 'purchase' },
      { profileIds: [3, 4], reason: 'import' },
    ]);
    // Keys are kept.
    expect(rows.map((r) => r.key)).toEqual(OLD.map(([, key]) => key));

    const plan = db.sqlite.prepare(
      "INSERT INTO stream_outbox (subscriber, key, payload, status, created_at, updated_at) VALUES ('a.b', ?, '{}', 'planned', 1, 1)",
    );
    plan.run('k1');
    expect(() => plan.run('k1')).toThrow(/UNIQUE/);
    db.close();
  });
});
