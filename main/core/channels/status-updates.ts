/**
 * WhatsApp's later word on messages the shop sent (status webhooks after the send's 200): delivered and read move
 * the outbox row on; a failure fails it with the reason in words, and 131050 (the customer stopped marketing
 * messages from the business) is recorded as their WhatsApp opt-out, even for a message the outbox no longer has.
 * Two failures write the message again, once per failed row (the row moves to `failed` once, so the same status
 * delivered twice resends nothing more): 131047 (the 24-hour window had closed) sends it again as its approved
 * template, kept in the row's body when it was composed; 131049 (Meta held a marketing message back) writes it again
 * due no sooner than 24 hours after the failure. Both go through `enqueueMessage`, so consent, pause, quiet hours and
 * caps are asked again; the failed row's reason names the new message.
 */
import type { EngineContext } from '../context';
import type { Database } from '../db/open';
import { markOutboxLater, type OutboxRow, outboxByProviderId } from '../db/repos/message-outbox';
import { setFailedReason } from '../db/repos/message-resend';
import { applyProviderOptOut } from './consent';
import { type ComposedBody, enqueueMessage } from './outbox';
import { WINDOW_MS } from './whatsapp-window';

/**
 * The engine context of each open data file while the channels engine runs: a status arrives inside ingestion's
 * transaction with only the data file, and writing a message again needs the outbox's guards.
 */
const resendContexts = new WeakMap<Database, EngineContext>();
export function rememberResendContext(ctx: EngineContext): void {
  resendContexts.set(ctx.db, ctx);
}
export function forgetResendContext(ctx: EngineContext): void {
  if (resendContexts.get(ctx.db) === ctx) resendContexts.delete(ctx.db);
}

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
  if (row && markOutboxLater(db, row.id, 'failed', reason, now) && (code === '131047' || code === '131049'))
    writeAgain(db, row, code, reason, Math.max(now, status.occurredAt), now);
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

const iso = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

/** 131047 → the approved template now; 131049 → the same message, due a day after the failure. */
function writeAgain(
  db: Database,
  row: OutboxRow,
  code: '131047' | '131049',
  reason: string,
  failedAt: number,
  now: number,
): void {
  const ctx = resendContexts.get(db);
  if (!ctx) {
    setFailedReason(db, row.id, `${reason} ConstIntel was not sending then, so it was not written again.`, now);
    return;
  }
  const body = row.body as ComposedBody;
  const base = { channel: 'whatsapp' as const, to: row.recipient, profileId: row.profileId, kind: row.kind };
  if (code === '131047') {
    const template = body.template ? undefined : body.approvedTemplate;
    if (!template) {
      const why = body.template
        ? 'It was already the approved template, so it was not sent again.'
        : 'It was free text with no approved WhatsApp template, so it was not sent again: send a template from Customer 360.';
      setFailedReason(db, row.id, `${reason} ${why}`, now);
      return;
    }
    const again = enqueueMessage(ctx, { ...base, text: body.text, template, source: 'resend' });
    setFailedReason(db, row.id, `${reason} It was sent again as the approved template (message #${again.id}).`, now);
    return;
  }
  const at = failedAt + WINDOW_MS;
  const again = enqueueMessage(ctx, {
    ...body,
    ...base,
    source: 'resend',
    notBefore: {
      at,
      reason: `WhatsApp held message #${row.id} back (131049): tried again no sooner than ${iso(at)}, through consent, quiet hours and limits again.`,
    },
  });
  setFailedReason(
    db,
    row.id,
    `${reason} Written again as message #${again.id}, due no sooner than ${iso(at)} (24 hours after this failure).`,
    now,
  );
}
