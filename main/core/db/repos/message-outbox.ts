/**
 * The SQL on `message_outbox`, the messages to customers waiting, going or gone. Every status change the outbox
 * worker makes is one guarded UPDATE (`WHERE status IN (...)`), so two passes of the worker, or a worker and the
 * shop cancelling, can never both move the same row; the change to `sending` is committed before the provider is
 * called, which is what makes a send at most once.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export type OutboxChannel = 'email' | 'sms' | 'whatsapp';
export type OutboxKind = 'marketing' | 'service';
export type OutboxStatus =
  | 'pending'
  | 'held'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'unknown'
  | 'cancelled';

/** What a row's `body` column holds (JSON). */
export interface OutboxBody {
  subject?: string;
  text: string;
  html?: string;
  template?: { name: string; language: string; parameters: string[] };
  headers?: Record<string, string>;
}

export interface OutboxRow {
  id: number;
  brandId: number;
  channel: OutboxChannel;
  recipient: string;
  body: OutboxBody;
  status: OutboxStatus;
  statusReason: string | null;
  profileId: number | null;
  kind: OutboxKind;
  source: string;
  cost: number | null;
  currency: string | null;
  attempts: number;
  nextAttemptAt: number;
  sendingAt: number | null;
  sentAt: number | null;
  providerMessageId: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number | null;
}

const COLUMNS = `id, brand_id AS brandId, channel, recipient, body, status, status_reason AS statusReason,
  profile_id AS profileId, kind, source, cost, currency, attempts, next_attempt_at AS nextAttemptAt,
  sending_at AS sendingAt, sent_at AS sentAt, provider_message_id AS providerMessageId, last_error AS lastError,
  created_at AS createdAt, updated_at AS updatedAt`;

type Raw = Omit<OutboxRow, 'body'> & { body: string };
const parse = (raw: Raw): OutboxRow => ({ ...raw, body: JSON.parse(raw.body) as OutboxBody });

export interface NewOutboxRow {
  brandId: number;
  channel: OutboxChannel;
  recipient: string;
  body: OutboxBody;
  status: 'pending' | 'held' | 'cancelled';
  statusReason: string | null;
  profileId: number | null;
  kind: OutboxKind;
  source: string;
  cost: number | null;
  currency: string | null;
  nextAttemptAt: number;
  executionId: number | null;
  now: number;
}

export function insertOutboxRow(db: Database, row: NewOutboxRow): number {
  const result = stmt(
    db,
    `INSERT INTO message_outbox (brand_id, execution_id, channel, recipient, body, status, status_reason, profile_id,
       kind, source, cost, currency, attempts, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
  ).run(
    row.brandId,
    row.executionId,
    row.channel,
    row.recipient,
    JSON.stringify(row.body),
    row.status,
    row.statusReason,
    row.profileId,
    row.kind,
    row.source,
    row.cost,
    row.currency,
    row.nextAttemptAt,
    row.now,
    row.now,
  );
  return Number(result.lastInsertRowid);
}

export function outboxRow(db: Database, id: number): OutboxRow | undefined {
  const raw = stmt(db, `SELECT ${COLUMNS} FROM message_outbox WHERE id = ?`).get(id) as Raw | undefined;
  return raw && parse(raw);
}

/** Pending and held rows of these channels whose time has come, oldest first. */
export function dueOutboxRows(
  db: Database,
  now: number,
  channels: readonly OutboxChannel[],
  limit: number,
): OutboxRow[] {
  if (channels.length === 0) return [];
  return (
    stmt(
      db,
      `SELECT ${COLUMNS} FROM message_outbox WHERE status IN ('pending', 'held') AND next_attempt_at <= ?
         AND channel IN (SELECT value FROM json_each(?))
       ORDER BY next_attempt_at, id LIMIT ?`,
    ).all(now, JSON.stringify(channels), limit) as Raw[]
  ).map(parse);
}

/**
 * Held messages looked at again now (the worker asks the guards afresh): after a setting changed (a limit lifted,
 * sending resumed) or a customer's consent changed, a hold's reason must not outlive its cause. A message WhatsApp
 * asked to wait a day for (131049, written again by `resend`) keeps its time.
 */
export function recheckHeld(db: Database, now: number, profileIds?: readonly number[]): number {
  const who = profileIds === undefined ? '' : 'AND profile_id IN (SELECT value FROM json_each(?))';
  const args: (number | string)[] = [now, now, now];
  if (profileIds !== undefined) args.push(JSON.stringify(profileIds));
  // Looked for first: an UPDATE takes the write lock even when it changes nothing, and this runs on the app's thread
  // for every customer change (while a file imports, the lock is the import's most of the time).
  const any = stmt(
    db,
    `SELECT 1 FROM message_outbox WHERE status = 'held' AND next_attempt_at > ? AND source <> 'resend' ${who} LIMIT 1`,
  ).get(...args.slice(2));
  if (any === undefined) return 0;
  return stmt(
    db,
    `UPDATE message_outbox SET next_attempt_at = ?, updated_at = ?
       WHERE status = 'held' AND next_attempt_at > ? AND source <> 'resend' ${who}`,
  ).run(...args).changes;
}

/** Due messages of a channel that cannot go (it is not connected) say why; they stay due for when it is. */
export function noteWaiting(db: Database, channel: OutboxChannel, reason: string, now: number): number {
  // Looked for first (see recheckHeld): this runs at every pass of the outbox while a channel is not connected.
  const any = stmt(
    db,
    `SELECT 1 FROM message_outbox WHERE channel = ? AND status IN ('pending', 'held') AND next_attempt_at <= ?
       AND status_reason IS NOT ? LIMIT 1`,
  ).get(channel, now, reason);
  if (any === undefined) return 0;
  return stmt(
    db,
    `UPDATE message_outbox SET status_reason = ?, updated_at = ?
     WHERE channel = ? AND status IN ('pending', 'held') AND next_attempt_at <= ? AND status_reason IS NOT ?`,
  ).run(reason, now, channel, now, reason).changes;
}

/** Keeps (or puts) a waiting row on hold until `until`, saying why. False when the row is no longer waiting. */
export function holdOutboxRow(
  db: Database,
  id: number,
  status: 'pending' | 'held',
  reason: string,
  until: number,
  now: number,
): boolean {
  return (
    stmt(
      db,
      `UPDATE message_outbox SET status = ?, status_reason = ?, next_attempt_at = ?, updated_at = ?
       WHERE id = ? AND status IN ('pending', 'held')`,
    ).run(status, reason, until, now, id).changes === 1
  );
}

/**
 * Every due waiting row held with one reason (sending paused), without reading them. Answers how many. `heldSince`:
 * rows already held were all given the reason up to then, so only those falling due after it are looked at (a pass
 * while paused touches the new rows, not every held one again).
 */
export function holdAllDue(db: Database, reason: string, now: number, heldSince: number | null = null): number {
  const pending = stmt(
    db,
    `UPDATE message_outbox SET status = 'held', status_reason = ?, updated_at = ?
     WHERE status = 'pending' AND next_attempt_at <= ?`,
  ).run(reason, now, now).changes;
  const held = stmt(
    db,
    `UPDATE message_outbox SET status_reason = ?, updated_at = ?
     WHERE status = 'held' AND next_attempt_at > ? AND next_attempt_at <= ? AND status_reason IS NOT ?`,
  ).run(reason, now, heldSince ?? Number.MIN_SAFE_INTEGER, now, reason).changes;
  return pending + held;
}

/** The at-most-once step: committed before the call. False when another pass took the row first. */
export function claimOutboxRow(db: Database, id: number, cost: number | null, currency: string, now: number): boolean {
  return (
    stmt(
      db,
      `UPDATE message_outbox SET status = 'sending', status_reason = NULL, attempts = attempts + 1, sending_at = ?,
         cost = coalesce(?, cost), currency = coalesce(currency, ?), updated_at = ?
       WHERE id = ? AND status IN ('pending', 'held')`,
    ).run(now, cost, currency, now, id).changes === 1
  );
}

export function markOutboxSent(db: Database, id: number, providerId: string | null, now: number): void {
  stmt(
    db,
    `UPDATE message_outbox SET status = 'sent', status_reason = NULL, last_error = NULL, provider_message_id = ?,
       sent_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'`,
  ).run(providerId, now, now, id);
}

/**
 * Several accepted messages marked `sent` in one transaction: one commit instead of one each, which was a tenth of
 * the outbox's own CPU per message at campaign pace (`npm run bench -- outbox`).
 */
export function markOutboxSentMany(
  db: Database,
  rows: readonly { id: number; providerId: string | null }[],
  now: number,
): void {
  if (rows.length === 0) return;
  db.sqlite.transaction(() => {
    for (const row of rows) markOutboxSent(db, row.id, row.providerId, now);
  })();
}

/** The provider certainly did not take it and said a later try may work: back to pending at `retryAt`. */
export function markOutboxRetry(db: Database, id: number, reason: string, retryAt: number, now: number): void {
  stmt(
    db,
    `UPDATE message_outbox SET status = 'pending', status_reason = ?, last_error = ?, next_attempt_at = ?, updated_at = ?
     WHERE id = ? AND status = 'sending'`,
  ).run(reason, reason, retryAt, now, id);
}

/** failed (certainly not sent), unknown (may have gone out) or cancelled (never tried), with the reason. */
export function markOutboxFinal(
  db: Database,
  id: number,
  status: 'failed' | 'unknown' | 'cancelled',
  reason: string,
  now: number,
): void {
  stmt(
    db,
    `UPDATE message_outbox SET status = ?, status_reason = ?, last_error = ?, updated_at = ?
     WHERE id = ? AND status IN ('pending', 'held', 'sending')`,
  ).run(status, reason, reason, now, id);
}

/** At start: rows a stopped process left `sending` become `unknown`. Answers how many. */
export function recoverInterruptedSends(db: Database, reason: string, now: number): number {
  return stmt(
    db,
    `UPDATE message_outbox SET status = 'unknown', status_reason = ?, last_error = ?, updated_at = ?
     WHERE status = 'sending'`,
  ).run(reason, reason, now).changes;
}

/** Messages of one channel that went to the provider since `since` (what a daily cap counts; refusals do not). */
export function sentSince(db: Database, channel: OutboxChannel, since: number): number {
  const row = stmt(
    db,
    `SELECT count(*) AS n FROM message_outbox
     WHERE channel = ? AND sending_at >= ? AND status IN ('sending', 'sent', 'delivered', 'read', 'unknown')`,
  ).get(channel, since) as { n: number };
  return row.n;
}

export interface OutboxQuery {
  status?: OutboxStatus | undefined;
  profileId?: number | undefined;
  limit: number;
}

/** Newest first, for the Messages page and `constintel messages`. */
export function queryOutbox(db: Database, query: OutboxQuery): OutboxRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (query.status) {
    where.push('status = ?');
    args.push(query.status);
  }
  if (query.profileId !== undefined) {
    where.push('profile_id = ?');
    args.push(query.profileId);
  }
  const sql = `SELECT ${COLUMNS} FROM message_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT ?`;
  return (stmt(db, sql).all(...args, query.limit) as Raw[]).map(parse);
}

/** The message the provider knows by this id (WhatsApp's wamid, Twilio's SM sid). */
export function outboxByProviderId(db: Database, channel: OutboxChannel, providerId: string): OutboxRow | undefined {
  const raw = stmt(db, `SELECT ${COLUMNS} FROM message_outbox WHERE provider_message_id = ? AND channel = ?`).get(
    providerId,
    channel,
  ) as Raw | undefined;
  return raw && parse(raw);
}

/**
 * A provider's later word on a sent message: delivered, read, or failed after all (WhatsApp reports most failures
 * in a status webhook after answering 200). Never moves a message back (read stays read).
 */
export function markOutboxLater(
  db: Database,
  id: number,
  status: 'delivered' | 'read' | 'failed',
  reason: string | null,
  now: number,
): boolean {
  const from =
    status === 'delivered' ? "('sent')" : status === 'read' ? "('sent', 'delivered')" : "('sent', 'delivered')";
  return (
    stmt(
      db,
      `UPDATE message_outbox SET status = ?, status_reason = ?, updated_at = ? WHERE id = ? AND status IN ${from}`,
    ).run(status, reason, now, id).changes > 0
  );
}
