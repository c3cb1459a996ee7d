/**
 * Pruning keeps `stream_message` bounded. A message is kept while some
 * subscriber of its stream (a `stream_offset` row, from this process or an
 * earlier one) has not read it; below the lowest offset of a stream it is
 * deleted. A stream nobody has subscribed to has no reader today, but an
 * engine added by an update may ask for its backlog: it keeps its last
 * `keepUnsubscribedMs` (a week by default), and older messages go. The events
 * table, not the stream, is the history: a recompute over all of it reads
 * `customer_raw_event`.
 *
 * A subscriber removed from the app leaves its offset behind and holds its
 * stream's messages from then on: removing one must delete its offset row.
 *
 * Deletes run in batches of `batch` rows, each its own short write (a few
 * milliseconds for 5,000), with a turn of the event loop between them, so
 * webhooks and the UI are never held behind a prune of a large backlog.
 */
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { STREAMS } from './schemas';

export const PRUNE_BATCH = 5_000;
export const KEEP_UNSUBSCRIBED_MS = 7 * 24 * 60 * 60_000;

export interface PruneOptions {
  now: number;
  batch?: number;
  keepUnsubscribedMs?: number;
}

/** Deletes what every subscriber has read (and old messages of streams nobody reads). Answers rows deleted. */
export async function pruneStreams(db: Database, options: PruneOptions): Promise<number> {
  const batch = options.batch ?? PRUNE_BATCH;
  const keep = options.keepUnsubscribedMs ?? KEEP_UNSUBSCRIBED_MS;
  let deleted = 0;
  for (const stream of STREAMS) {
    const floor = pruneFloor(db, stream, options.now - keep);
    if (floor <= 0) continue;
    const remove = stmt(
      db,
      `DELETE FROM stream_message WHERE id IN
         (SELECT id FROM stream_message WHERE stream = ? AND id <= ? ORDER BY id LIMIT ?)`,
    );
    for (;;) {
      if (!db.sqlite.open) return deleted;
      const n = remove.run(stream, floor, batch).changes;
      deleted += n;
      if (n < batch) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return deleted;
}

/** The highest message id of the stream that may go (0: none). */
function pruneFloor(db: Database, stream: string, cutoff: number): number {
  const lowest = stmt(db, 'SELECT min(last_id) FROM stream_offset WHERE stream = ?').pluck().get(stream) as
    | number
    | null;
  if (lowest !== null) return lowest;
  // Nobody subscribed: everything before the first message young enough to keep (ids grow with time).
  const firstKept = stmt(db, 'SELECT id FROM stream_message WHERE stream = ? AND created_at >= ? ORDER BY id LIMIT 1')
    .pluck()
    .get(stream, cutoff) as number | undefined;
  if (firstKept !== undefined) return firstKept - 1;
  return (stmt(db, 'SELECT max(id) FROM stream_message WHERE stream = ?').pluck().get(stream) as number | null) ?? 0;
}
