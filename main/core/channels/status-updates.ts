/**
 * WhatsApp's later word on messages the shop sent (status webhooks after the send's 200): delivered and read move
 * the outbox row on; a failure fails it with the reason in words, and 131050 (the customer stopped marketing
 * messages from the business) is recorded as their WhatsApp opt-out, even for a message the outbox no longer has.
 * 131047 (outside the 24-hour window) and 131049 (held back by Meta to keep engagement healthy) fail the message
 * with what to do; resending as a template is not built yet.
 */
import type { Database } from '../db/open';
import { markOutboxLater, outboxByProviderId } from '../db/repos/message-outbox';
import { applyProviderOptOut } from './consent';

export interface WhatsAppStatus {
  brandId: number;
  messageId: string;
  status: string;
  recipient: string | null;
  errors: unknown[] | null;
  occurredAt: number;
}

const FAILURE_WORDS: Record<string, string> = {
  '131050': 'The customer has stopped marketing messages from your business on WhatsApp (131050).',
  '131047':
    'More than 24 hours since the customer last wrote: WhatsApp only delivers an approved template now (131047).',
  '131049': 'WhatsApp held it back to keep engagement healthy; do not send again for at least a day (131049).',
  '131026': 'WhatsApp could not deliver it: the number may not be on WhatsApp, or uses an old version (131026).',
};

function firstErrorCode(errors: unknown[] | null): { code: string | null; title: string | null } {
  const first = errors?.[0] as { code?: unknown; title?: unknown; message?: unknown } | undefined;
  const code = first?.code === undefined ? null : String(first.code);
  const title =
    typeof first?.title === 'string' ? first.title : typeof first?.message === 'string' ? first.message : null;
  return { code, title };
}

/** Applies one status in the caller's transaction. */
export function applyWhatsAppStatus(db: Database, status: WhatsAppStatus, now: number): void {
  const row = outboxByProviderId(db, 'whatsapp', status.messageId);
  if (status.status === 'delivered' || status.status === 'read') {
    if (row) markOutboxLater(db, row.id, status.status, null, now);
    return;
  }
  if (status.status !== 'failed') return;
  const { code, title } = firstErrorCode(status.errors);
  const reason =
    (code && FAILURE_WORDS[code]) ??
    `WhatsApp could not deliver it: ${title ?? 'no reason given'}${code ? ` (${code})` : ''}.`;
  if (row) markOutboxLater(db, row.id, 'failed', reason, now);
  if (code === '131050') {
    const who =
      row?.profileId != null
        ? { profileId: row.profileId }
        : status.recipient
          ? {
              phone: status.recipient.startsWith('+') ? status.recipient : `+${status.recipient}`,
              brandId: status.brandId,
            }
          : undefined;
    if (who) applyProviderOptOut(db, { ...who, channel: 'whatsapp', code: '131050', at: status.occurredAt, now });
  }
}
