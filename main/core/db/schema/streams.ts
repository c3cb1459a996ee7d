/**
 * Durable streams: an append-only message table per named stream (one table,
 * keyed by stream), each subscriber's offset, so a subscriber that fails or
 * a process that dies resumes exactly where it was, and the outbox of
 * subscribers that talk to the outside world (what they are about to do is
 * written before they do it, so a crash never repeats it).
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const streamMessage = sqliteTable(
  'stream_message',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    stream: text('stream').notNull(),
    /** What the message is about (an event or profile id), for ordering and lookup. */
    key: text('key'),
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('stream_message_stream_id_idx').on(t.stream, t.id)],
);

export const streamOffset = sqliteTable(
  'stream_offset',
  {
    stream: text('stream').notNull(),
    subscriber: text('subscriber').notNull(),
    /** Id of the last message this subscriber finished. */
    lastId: integer('last_id').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stream, t.subscriber] })],
);

export const streamOutbox = sqliteTable(
  'stream_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriber: text('subscriber').notNull(),
    /** What is being done, unique per subscriber (planning the same key twice is one row). */
    key: text('key').notNull(),
    payload: text('payload').notNull(),
    /**
     * planned → sending (committed before the call out) → sent | failed. A row still `sending` when the process
     * starts again was cut off mid-call: it becomes `unknown` and is never retried by itself.
     */
    status: text('status', { enum: ['planned', 'sending', 'sent', 'failed', 'unknown'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('stream_outbox_subscriber_key_idx').on(t.subscriber, t.key),
    index('stream_outbox_waiting_idx').on(t.subscriber, t.id).where(sql`status IN ('planned', 'sending')`),
  ],
);
