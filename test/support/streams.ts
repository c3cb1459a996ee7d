/**
 * How tests reach a backend's stream runner (`streamsOf(backend.ctx)`), and the test subscriber the crash tests
 * run in a child process: one row per event into a table of its own.
 */
import type { Backend } from '../../main/core/backend';
import type { Database } from '../../main/core/db/open';
import { type DatabaseSubscriber, type StreamRunner, streamsOf } from '../../main/core/streams/streams';

export const runnerOf = (backend: Backend): StreamRunner => streamsOf(backend.ctx);

export const SEEN_TABLE = 'test_stream_seen';

/** On `events.normalized`: one `test_stream_seen` row per event, a range's events read from the events table. */
export function seenSubscriber(
  db: Database,
  options: { name?: string; backlog?: boolean; batch?: number; onRow?: (count: number) => void } = {},
): DatabaseSubscriber<'events.normalized'> {
  db.sqlite.exec(`CREATE TABLE IF NOT EXISTS ${SEEN_TABLE} (event_id INTEGER NOT NULL, origin TEXT NOT NULL)`);
  const insert = db.sqlite.prepare(`INSERT INTO ${SEEN_TABLE} (event_id, origin) VALUES (?, ?)`);
  const inRange = db.sqlite.prepare('SELECT id FROM customer_raw_event WHERE id BETWEEN ? AND ? ORDER BY id').pluck();
  let rows = 0;
  return {
    stream: 'events.normalized',
    name: options.name ?? 'test.seen',
    effect: 'database',
    ...(options.backlog ? { backlog: true } : {}),
    ...(options.batch ? { batch: options.batch } : {}),
    handle(messages) {
      for (const { payload } of messages) {
        const ids =
          payload.kind === 'event'
            ? [payload.eventId]
            : (inRange.all(payload.firstEventId, payload.lastEventId) as number[]);
        for (const id of ids) {
          insert.run(id, payload.origin);
          options.onRow?.(++rows);
        }
      }
    },
  };
}
