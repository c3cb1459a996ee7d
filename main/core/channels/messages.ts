/**
 * The read model of the outbox for the Messages page, Customer 360's timeline and `constintel messages`: rows as
 * `MessageView`s, newest first, with the reason for every hold, failure, cancel or unknown.
 */
import type { MessageStatus, MessageView } from '../../../shared/contract/messages';
import type { Database } from '../db/open';
import { type OutboxRow, outboxRow, queryOutbox } from '../db/repos/message-outbox';
import { profileNames } from '../db/repos/profiles';

const SHOWS_REASON = new Set<MessageStatus>(['held', 'failed', 'unknown', 'cancelled', 'pending']);
const WAITING = new Set<MessageStatus>(['pending', 'held']);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function summary(row: OutboxRow): string {
  const text = row.body.subject ?? row.body.template?.name ?? row.body.text;
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function toMessageView(row: OutboxRow, customerName: string | null): MessageView {
  return {
    id: row.id,
    channel: row.channel,
    recipient: row.recipient,
    profileId: row.profileId,
    customerName,
    kind: row.kind,
    source: row.source,
    status: row.status,
    reason: SHOWS_REASON.has(row.status) ? row.statusReason : null,
    summary: summary(row),
    cost: row.cost,
    currency: row.currency,
    attempts: row.attempts,
    nextAttemptAt: WAITING.has(row.status) ? iso(row.nextAttemptAt) : null,
    createdAt: new Date(row.createdAt).toISOString(),
    sentAt: iso(row.sentAt),
    providerMessageId: row.providerMessageId,
  };
}

export function listMessages(
  db: Database,
  query: { status?: MessageStatus | undefined; profileId?: number | undefined; limit: number },
): MessageView[] {
  return viewsOf(db, queryOutbox(db, query));
}

/** One message as the screens show it, or undefined when there is no such message. */
export function messageView(db: Database, id: number): MessageView | undefined {
  const row = outboxRow(db, id);
  return row && viewsOf(db, [row])[0];
}

/** Rows as views, each naming its customer (one query for all their names). */
function viewsOf(db: Database, rows: readonly OutboxRow[]): MessageView[] {
  const names = profileNames(db, [...new Set(rows.flatMap((r) => (r.profileId === null ? [] : [r.profileId])))]);
  return rows.map((row) => toMessageView(row, row.profileId === null ? null : (names.get(row.profileId) ?? null)));
}
