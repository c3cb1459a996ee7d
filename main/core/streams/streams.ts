/**
 * Durable streams. `publish` appends to `stream_message` inside the caller's
 * transaction, so a message exists exactly when the change it describes was
 * committed. Subscribers run after commit, in order, from their own offset in
 * `stream_offset`; a subscriber that throws keeps its place, is retried with
 * backoff, and never holds up ingestion or other subscribers. After a crash,
 * every subscriber resumes from its last finished message.
 */
import type { Clock, Logger } from '../clock';
import { defineService } from '../context';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';

export const STREAMS = ['events.raw', 'events.normalized', 'profiles.merge_requests', 'predictions.requests'] as const;
export type StreamName = (typeof STREAMS)[number];

export interface StreamMessage {
  id: number;
  stream: StreamName;
  key: string | null;
  payload: unknown;
  createdAt: number;
}

export function publish(
  db: Database,
  stream: StreamName,
  key: string | number | null,
  payload: unknown,
  now: number,
): void {
  stmt(db, 'INSERT INTO stream_message (stream, key, payload, created_at) VALUES (?, ?, ?, ?)').run(
    stream,
    key === null ? null : String(key),
    JSON.stringify(payload),
    now,
  );
}

export type StreamHandler = (messages: StreamMessage[]) => void | Promise<void>;

interface Subscription {
  stream: StreamName;
  name: string;
  handler: StreamHandler;
  retryAt: number;
  running: boolean;
}

const BATCH = 200;
const MAX_BACKOFF_MS = 60_000;

export class StreamRunner {
  private readonly subscriptions: Subscription[] = [];
  private scheduled = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  subscribe(stream: StreamName, name: string, handler: StreamHandler): void {
    if (this.subscriptions.some((s) => s.stream === stream && s.name === name)) {
      throw new Error(`Subscriber "${name}" is already on ${stream}`);
    }
    stmt(
      this.db,
      'INSERT INTO stream_offset (stream, subscriber, last_id, updated_at) VALUES (?, ?, 0, ?) ON CONFLICT DO NOTHING',
    ).run(stream, name, this.clock.now().getTime());
    this.subscriptions.push({ stream, name, handler, retryAt: 0, running: false });
    this.notify();
  }

  /** Something was committed: run subscribers soon (coalesced). */
  notify(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  /** Runs every subscriber until it is caught up or fails. Resolves when done (tests await it). */
  async pump(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => this.drain(s)));
  }

  offset(stream: StreamName, name: string): { lastId: number; attempts: number; lastError: string | null } {
    const row = stmt(
      this.db,
      'SELECT last_id, attempts, last_error FROM stream_offset WHERE stream = ? AND subscriber = ?',
    ).get(stream, name) as { last_id: number; attempts: number; last_error: string | null } | undefined;
    return { lastId: row?.last_id ?? 0, attempts: row?.attempts ?? 0, lastError: row?.last_error ?? null };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async drain(sub: Subscription): Promise<void> {
    if (sub.running || this.stopped || this.clock.now().getTime() < sub.retryAt) return;
    sub.running = true;
    try {
      for (;;) {
        if (this.stopped || !this.db.sqlite.open) return;
        const { lastId, attempts } = this.offset(sub.stream, sub.name);
        const rows = stmt(
          this.db,
          'SELECT id, stream, key, payload, created_at FROM stream_message WHERE stream = ? AND id > ? ORDER BY id LIMIT ?',
        ).all(sub.stream, lastId, BATCH) as {
          id: number;
          stream: StreamName;
          key: string | null;
          payload: string;
          created_at: number;
        }[];
        if (rows.length === 0) return;
        const messages = rows.map((r) => ({
          id: r.id,
          stream: r.stream,
          key: r.key,
          payload: JSON.parse(r.payload) as unknown,
          createdAt: r.created_at,
        }));
        try {
          await sub.handler(messages);
        } catch (error) {
          const next = attempts + 1;
          const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(next, 10));
          sub.retryAt = this.clock.now().getTime() + delay;
          if (this.db.sqlite.open) {
            stmt(
              this.db,
              'UPDATE stream_offset SET attempts = ?, last_error = ?, updated_at = ? WHERE stream = ? AND subscriber = ?',
            ).run(next, (error as Error).message ?? String(error), this.clock.now().getTime(), sub.stream, sub.name);
          }
          this.logger.warn(`Subscriber ${sub.name} on ${sub.stream} failed (attempt ${next}); retrying in ${delay} ms`);
          if (!this.stopped) {
            this.timer = setTimeout(() => void this.drain(sub), delay);
            this.timer.unref();
          }
          return;
        }
        const last = messages[messages.length - 1];
        if (!last || !this.db.sqlite.open) return;
        stmt(
          this.db,
          'UPDATE stream_offset SET last_id = ?, attempts = 0, last_error = NULL, updated_at = ? WHERE stream = ? AND subscriber = ?',
        ).run(last.id, this.clock.now().getTime(), sub.stream, sub.name);
        sub.retryAt = 0;
      }
    } finally {
      sub.running = false;
    }
  }
}

/** This backend's stream runner: nudged whenever profiles change (something was published with them). */
export const streamsOf = defineService((ctx) => {
  const runner = new StreamRunner(ctx.db, ctx.clock, ctx.logger);
  ctx.bus.on('profiles.changed', () => runner.notify());
  ctx.bus.on('predictions.changed', () => runner.notify());
  return runner;
});
