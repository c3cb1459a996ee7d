/**
 * The SQL on `message_in`: messages customers sent the shop (inbound SMS). One row per provider message id and
 * channel (a unique index), so a provider's retried delivery is stored once.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export type MessageInChannel = 'email' | 'sms' | 'whatsapp';

export interface MessageInRow {
  id: number;
  brandId: number;
  profileId: number | null;
  channel: MessageInChannel;
  fromAddress: string;
  body: string;
  providerMessageId: string | null;
  receivedAt: number;
}

/** Stores a message; answers its id, or null when the same provider message was already stored. */
export function insertMessageIn(db: Database, row: Omit<MessageInRow, 'id'>): number | null {
  const result = stmt(
    db,
    `INSERT INTO message_in (brand_id, profile_id, channel, from_address, body, provider_message_id, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  ).run(row.brandId, row.profileId, row.channel, row.fromAddress, row.body, row.providerMessageId, row.receivedAt);
  return result.changes === 0 ? null : Number(result.lastInsertRowid);
}

const COLUMNS = `id, brand_id AS brandId, profile_id AS profileId, channel, from_address AS fromAddress, body,
  provider_message_id AS providerMessageId, received_at AS receivedAt`;

/** A customer's messages to the shop, newest first. */
export function messagesInOf(db: Database, profileId: number, limit = 100): MessageInRow[] {
  return stmt(
    db,
    `SELECT ${COLUMNS} FROM message_in WHERE profile_id = ? ORDER BY received_at DESC, id DESC LIMIT ?`,
  ).all(profileId, limit) as MessageInRow[];
}

/** A message by the provider's id on a channel. */
export function messageInByProviderId(
  db: Database,
  channel: MessageInChannel,
  providerMessageId: string,
): MessageInRow | undefined {
  return stmt(db, `SELECT ${COLUMNS} FROM message_in WHERE channel = ? AND provider_message_id = ?`).get(
    channel,
    providerMessageId,
  ) as MessageInRow | undefined;
}
