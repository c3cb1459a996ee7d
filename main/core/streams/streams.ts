/**
 * Durable streams. `publish` is the only writer of `stream_message`: it
 * appends inside the caller's transaction, so a message exists exactly when
 * the change it describes was committed. It is typed by the stream's schema
 * (schemas.ts) at compile time and does not parse at run time: the webhook
 * path publishes three or four messages per event and every byte of them is
 * built here from already-checked values; messages are parsed when read.
 *
 * Subscribers run after commit, in order, from their own offset in
 * `stream_offset`, and declare their effect:
 * - `database`: a synchronous handler run in the same IMMEDIATE transaction
 *   as its offset update, so its writes happen exactly once, even when the
 *   process is killed mid-batch;
 * - `outside`: it plans outbox rows in that transaction and the outbox
 *   (outbox.ts) sends them, so a crash never repeats a send.
 * A new subscriber starts at the newest message unless it declares
 * `backlog: true` (years of imported history must never become messages).
 * A subscriber that throws, or meets a message its schema refuses, keeps its
 * place, records the error and is retried with backoff; it never holds up
 * ingestion or other subscribers.
 */
import type { Clock, Logger } from '../clock';
import { defineService } from '../context';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { inTurn } from '../db/write-turns';
import { deliverPlanned, type OutboxItem, type OutboxPlanner, outboxPlanner, recoverInterrupted } from './outbox';
import { messageKey, type StreamName, type StreamPayload, streamSchemas } from './schemas';

export { STREAMS, type StreamName, type StreamPayload } from './schemas';

export interface StreamMessage<S extends StreamName = StreamName> {
  id: number;
  stream: S;
  key: string | null;
  payload: StreamPayload<S>;
  createdAt: number;
}

export function publish<S extends StreamName>(db: Database, stream: S, message: StreamPayload<S>, now: number): void {
  stmt(db, 'INSERT INTO stream_message (stream, key, payload, created_at) VALUES (?, ?, ?, ?)').run(
    stream,
    messageKey(stream, message),
    JSON.stringify(message),
    now,
  );
}

interface SubscriberBase<S extends StreamName> {
  stream: S;
  /** `domain.verb`: the offset (and outbox rows) are stored under it. */
  name: string;
  /** Start at the oldest message still kept instead of the newest, when first subscribed. */
  backlog?: boolean;
  /** Most messages per transaction (default 200). */
  batch?: number;
}

export interface DatabaseSubscriber<S extends StreamName = StreamName> extends SubscriberBase<S> {
  effect: 'database';
  /** Runs inside the offset's IMMEDIATE transaction: synchronous, database writes only. */
  handle(messages: StreamMessage<S>[]): void;
}

export interface OutsideSubscriber<S extends StreamName = StreamName> extends SubscriberBase<S> {
  effect: 'outside';
  /** Runs inside the offset's transaction: records what is to be done (`outbox.plan`), does none of it. */
  plan(messages: StreamMessage<S>[], outbox: OutboxPlanner): void;
  /** Does one planned thing (sends the message). A throw marks it failed; it is not retried by itself. */
  deliver(item: OutboxItem): Promise<void>;
}

export type Subscriber<S extends StreamName = StreamName> = DatabaseSubscriber<S> | OutsideSubscriber<S>;

interface Running {
  sub: Subscriber;
  retryAt: number;
  running: boolean;
  /** The drain under way, so `pump` can wait for it. */
  current?: Promise<void> | undefined;
}

const BATCH = 200;
const MAX_BACKOFF_MS = 60_000;

interface Row {
  id: number;
  stream: StreamName;
  key: string | null;
  payload: string;
  created_at: number;
}

/** A stored row as its stream's typed message; a row its schema refuses is an error naming it (never skipped). */
export function parseMessage<S extends StreamName>(stream: S, row: Row): StreamMessage<S> {
  let json: unknown;
  try {
    json = JSON.parse(row.payload);
  } catch {
    throw new Error(`Message ${row.id} on ${stream} is not JSON; it stays in place until it is repaired.`);
  }
  const parsed = streamSchemas[stream].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new Error(
      `Message ${row.id} on ${stream} does not match the stream's schema${where}: ${issue?.message ?? 'invalid'}. It stays in place until it is repaired.`,
    );
  }
  return { id: row.id, stream, key: row.key, payload: parsed.data as StreamPayload<S>, createdAt: row.created_at };
}

export class StreamRunner {
  private readonly subscriptions: Running[] = [];
  private scheduled = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  subscribe<S extends StreamName>(sub: Subscriber<S>): void {
    if (this.subscriptions.some((s) => s.sub.stream === sub.stream && s.sub.name === sub.name)) {
      throw new Error(`Subscriber "${sub.name}" is already on ${sub.stream}`);
    }
    // New: at the newest message (ids only grow, so every later message is after it), or before all of them.
    stmt(
      this.db,
      `INSERT INTO stream_offset (stream, subscriber, last_id, updated_at)
       VALUES (?, ?, CASE WHEN ? THEN 0 ELSE coalesce((SELECT max(id) FROM stream_message), 0) END, ?)
       ON CONFLICT DO NOTHING`,
    ).run(sub.stream, sub.name, sub.backlog ? 1 : 0, this.clock.now().getTime());
    if (sub.effect === 'outside') {
      const n = recoverInterrupted(this.db, sub.name, this.clock.now().getTime());
      if (n > 0)
        this.logger.warn(
          `${n} thing${n === 1 ? '' : 's'} ${sub.name} was doing when the app stopped may or may not have happened; marked unknown, not repeated.`,
        );
    }
    this.subscriptions.push({ sub: sub as unknown as Subscriber, retryAt: 0, running: false });
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

  /**
   * Runs every subscriber until it is caught up or fails. Resolves when done (tests await it): a drain already under
   * way (started by a commit) is waited for, then the subscriber is drained again for what came after it started.
   */
  async pump(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => this.settle(s)));
  }

  private async settle(state: Running): Promise<void> {
    for (;;) {
      if (state.current) {
        await state.current;
        continue;
      }
      await this.drain(state);
      if (!state.current) return;
    }
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
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private drain(state: Running): Promise<void> {
    if (state.running || this.stopped || this.clock.now().getTime() < state.retryAt) return Promise.resolve();
    state.running = true;
    const current: Promise<void> = this.drainLoop(state).finally(() => {
      if (state.current === current) state.current = undefined;
    });
    state.current = current;
    return current;
  }

  private async drainLoop(state: Running): Promise<void> {
    const { sub } = state;
    try {
      for (;;) {
        if (this.stopped || !this.db.sqlite.open) return;
        if (sub.effect === 'outside') await this.deliver(sub);
        if (this.stopped || !this.db.sqlite.open) return;
        let handled: number;
        try {
          // In its turn at the write lock: while a file imports, this thread never waits on it (write-turns.ts).
          handled = await inTurn(this.db, () => this.db.sqlite.transaction(() => this.handleBatch(sub)).immediate(), {
            later: true,
          });
        } catch (error) {
          // Closed while it waited for its turn: nothing to record.
          if (this.stopped || !this.db.sqlite.open) return;
          this.failed(state, error);
          return;
        }
        state.retryAt = 0;
        if (handled === 0) return;
        // Between batches the event loop answers requests: a long backlog never holds the app.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      state.running = false;
    }
  }

  /** One batch in the caller's transaction: read after the offset, parse, handle or plan, move the offset. */
  private handleBatch(sub: Subscriber): number {
    const { lastId } = this.offset(sub.stream, sub.name);
    const rows = stmt(
      this.db,
      'SELECT id, stream, key, payload, created_at FROM stream_message WHERE stream = ? AND id > ? ORDER BY id LIMIT ?',
    ).all(sub.stream, lastId, sub.batch ?? BATCH) as Row[];
    if (rows.length === 0) return 0;
    const messages = rows.map((row) => parseMessage(sub.stream, row));
    const now = this.clock.now().getTime();
    if (sub.effect === 'database') {
      const result: unknown = sub.handle(messages);
      if (result instanceof Promise)
        throw new Error(`Subscriber ${sub.name} is declared effect 'database' but its handler is asynchronous.`);
    } else {
      sub.plan(messages, outboxPlanner(this.db, sub.name, now));
    }
    stmt(
      this.db,
      'UPDATE stream_offset SET last_id = ?, attempts = 0, last_error = NULL, updated_at = ? WHERE stream = ? AND subscriber = ?',
    ).run(rows[rows.length - 1]?.id, now, sub.stream, sub.name);
    return rows.length;
  }

  private async deliver(sub: OutsideSubscriber): Promise<void> {
    await deliverPlanned(this.db, sub.name, (item) => sub.deliver(item), {
      now: () => this.clock.now().getTime(),
      stopped: () => this.stopped || !this.db.sqlite.open,
      logger: this.logger,
    });
  }

  private failed(state: Running, error: unknown): void {
    const { sub } = state;
    const { attempts } = this.offset(sub.stream, sub.name);
    const next = attempts + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(next, 10));
    state.retryAt = this.clock.now().getTime() + delay;
    if (this.db.sqlite.open) {
      stmt(
        this.db,
        'UPDATE stream_offset SET attempts = ?, last_error = ?, updated_at = ? WHERE stream = ? AND subscriber = ?',
      ).run(next, (error as Error).message ?? String(error), this.clock.now().getTime(), sub.stream, sub.name);
    }
    this.logger.warn(`Subscriber ${sub.name} on ${sub.stream} failed (attempt ${next}); retrying in ${delay} ms`);
    if (!this.stopped) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.drain(state);
      }, delay);
      timer.unref();
      this.timers.add(timer);
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
