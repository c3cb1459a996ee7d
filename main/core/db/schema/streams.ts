/**
 * Durable streams: an append-only message table per named stream (one table,
 * keyed by stream) and each subscriber's offset, so a subscriber that fails or
 * a process that dies resumes exactly where it was.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
