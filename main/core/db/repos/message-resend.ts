/**
 * The SQL that composing a message and resending one after WhatsApp's late failures need: the templates' setting
 * values, when the customer last wrote to the shop on a channel, their latest purchases, and the reason on a failed
 * outbox row that was written again.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

/** A setting's JSON value, or undefined when it is not set or not JSON. */
/** A setting's stored text, unparsed (undefined when not set). */
export function readSettingText(db: Database, key: string): string | undefined {
  return stmt(db, 'SELECT value FROM setting WHERE key = ?').pluck().get(key) as string | undefined;
}

export function readSettingJson(db: Database, key: string): unknown {
  const raw = readSettingText(db, key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // A value edited by hand into something unreadable counts as not set; saving again repairs it.
    return undefined;
  }
}

export function writeSettingJson(db: Database, key: string, value: unknown, now: number): void {
  stmt(
    db,
    'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(key, JSON.stringify(value), now);
}

/**
 * When the customer last wrote to the shop on a channel (ms), or null: their `message_in` events (WhatsApp's
 * webhook) whose payload names the channel, and `message_in` rows (inbound SMS), whichever is later.
 */
export function lastInboundAt(db: Database, profileId: number, channel: string): number | null {
  const fromEvents = stmt(
    db,
    `SELECT max(occurred_at) FROM customer_raw_event
     WHERE customer_profile_id = ? AND event_type = 'message_in' AND json_extract(payload, '$.channel') = ?`,
  )
    .pluck()
    .get(profileId, channel) as number | null;
  const fromRows = stmt(db, 'SELECT max(received_at) FROM message_in WHERE profile_id = ? AND channel = ?')
    .pluck()
    .get(profileId, channel) as number | null;
  if (fromEvents === null) return fromRows;
  return fromRows === null ? fromEvents : Math.max(fromEvents, fromRows);
}

/** The payloads (JSON text) of a customer's latest purchases, newest first. */
export function latestPurchasePayloads(db: Database, profileId: number, limit: number): string[] {
  return stmt(
    db,
    `SELECT payload FROM customer_raw_event WHERE customer_profile_id = ? AND event_type = 'purchase'
     ORDER BY occurred_at DESC, id DESC LIMIT ?`,
  )
    .pluck()
    .all(profileId, limit) as string[];
}

/** Rewrites the reason on a failed row (it was written again as another message). */
export function setFailedReason(db: Database, id: number, reason: string, now: number): void {
  stmt(db, "UPDATE message_outbox SET status_reason = ?, updated_at = ? WHERE id = ? AND status = 'failed'").run(
    reason,
    now,
    id,
  );
}
