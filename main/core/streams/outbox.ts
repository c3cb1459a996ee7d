/**
 * The outbox of subscribers that talk to the outside world (sending a
 * message): what they are about to do is a `stream_outbox` row before any of
 * it happens. A subscriber plans rows in its stream offset's transaction (so
 * a message is planned exactly once); delivery then marks a row `sending`
 * and commits that before calling out, and `sent` or `failed` after. A row
 * still `sending` when the subscriber starts again was cut off mid-call: the
 * other side may or may not have acted, so it becomes `unknown` and is never
 * retried by itself — a crash can lose a send, never repeat one. `failed` (the
 * call answered an error) is not retried here either; the channels that build
 * on this decide which failures are worth another try.
 */
import type { Logger } from '../clock';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';

export type OutboxStatus = 'planned' | 'sending' | 'sent' | 'failed' | 'unknown';

export interface OutboxItem {
  id: number;
  subscriber: string;
  key: string;
  payload: unknown;
  /** Calls out so far, this one included. */
  attempts: number;
}

export interface OutboxPlanner {
  /** Records one thing to do. The same key planned again by the same subscriber is the same row (a no-op). */
  plan(key: string, payload: unknown): void;
}

export function outboxPlanner(db: Database, subscriber: string, now: number): OutboxPlanner {
  return {
    plan(key, payload) {
      stmt(
        db,
        `INSERT INTO stream_outbox (subscriber, key, payload, status, created_at, updated_at)
         VALUES (?, ?, ?, 'planned', ?, ?) ON CONFLICT (subscriber, key) DO NOTHING`,
      ).run(subscriber, key, JSON.stringify(payload ?? null), now, now);
    },
  };
}

/** At start: rows left `sending` by a process that stopped mid-call become `unknown`. Answers how many. */
export function recoverInterrupted(db: Database, subscriber: string, now: number): number {
  return stmt(
    db,
    `UPDATE stream_outbox SET status = 'unknown', error = 'The app stopped while this was being done: it may or may not have happened, so it is not repeated.', updated_at = ?
     WHERE subscriber = ? AND status = 'sending'`,
  ).run(now, subscriber).changes;
}

/** Sends every planned row of one subscriber, oldest first, one at a time. */
export async function deliverPlanned(
  db: Database,
  subscriber: string,
  send: (item: OutboxItem) => Promise<void>,
  options: { now(): number; stopped(): boolean; logger: Logger },
): Promise<void> {
  for (;;) {
    if (options.stopped()) return;
    const row = stmt(
      db,
      `SELECT id, key, payload, attempts FROM stream_outbox WHERE subscriber = ? AND status = 'planned' ORDER BY id LIMIT 1`,
    ).get(subscriber) as { id: number; key: string; payload: string; attempts: number } | undefined;
    if (!row) return;
    // Committed (autocommit) before the call out: after a crash the row says the call may have happened.
    stmt(
      db,
      `UPDATE stream_outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'planned'`,
    ).run(options.now(), row.id);
    const item: OutboxItem = {
      id: row.id,
      subscriber,
      key: row.key,
      payload: JSON.parse(row.payload) as unknown,
      attempts: row.attempts + 1,
    };
    try {
      await send(item);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (db.sqlite.open)
        stmt(db, `UPDATE stream_outbox SET status = 'failed', error = ?, updated_at = ? WHERE id = ?`).run(
          message,
          options.now(),
          row.id,
        );
      options.logger.warn(`${subscriber} could not do ${row.key}: ${message}`);
      continue;
    }
    if (db.sqlite.open)
      stmt(db, `UPDATE stream_outbox SET status = 'sent', error = NULL, updated_at = ? WHERE id = ?`).run(
        options.now(),
        row.id,
      );
  }
}

/** A subscriber's outbox rows, newest last (Settings, tests). */
export function outboxRows(
  db: Database,
  subscriber: string,
): { id: number; key: string; status: OutboxStatus; attempts: number; error: string | null }[] {
  return stmt(db, 'SELECT id, key, status, attempts, error FROM stream_outbox WHERE subscriber = ? ORDER BY id').all(
    subscriber,
  ) as { id: number; key: string; status: OutboxStatus; attempts: number; error: string | null }[];
}
