/**
 * Twilio's later word on an SMS the shop sent (the status callback ConstIntel asks for with each send): delivered
 * moves the outbox row on; undelivered and failed fail it with Twilio's error code in the shop's words; 21610 (the
 * number replied STOP to the shop) is also recorded as the customer's SMS opt-out, even for a message the outbox no
 * longer has. queued, accepted, sending and sent say nothing the outbox does not already know and leave the row.
 * Every status is kept once in `message_delivery_update` (provider 'twilio'), so a repeated callback changes nothing.
 */
import type { Database } from '../db/open';
import { markOutboxLater, outboxByProviderId } from '../db/repos/message-outbox';
import { stmt } from '../db/statements';
import { applyProviderOptOut } from './consent';

export interface TwilioStatus {
  brandId: number;
  messageSid: string;
  /** Twilio's MessageStatus: queued, sending, sent, delivered, undelivered, failed, … */
  status: string;
  /** ErrorCode, when Twilio sent one. */
  errorCode: string | null;
  /** The customer's number (E.164), as Twilio sent it in `To`. */
  to: string | null;
}

export interface TwilioStatusResult {
  /** False when the same status for the same message was already received. */
  fresh: boolean;
  /** The outbox row it moved, if any. */
  outboxId: number | null;
  /** What happened, in the shop's words, for the delivery log. */
  detail: string;
  /** The customer opted out of SMS by it (21610), if one was found. */
  optedOut: number | null;
}

/** Twilio's delivery error codes in the shop's words (https://www.twilio.com/docs/api/errors). */
export const TWILIO_FAILURE_WORDS: Record<string, string> = {
  '30003': 'The phone could not be reached: it may be switched off or out of signal (30003).',
  '30005': 'The number is unknown to the mobile network: it may no longer exist (30005).',
  '30006': 'The number is a landline or cannot receive texts (30006).',
  '30007': 'The mobile network filtered the message out, as spam or against its rules (30007).',
  '30008': 'The mobile network could not deliver it and gave no reason (30008).',
  '21610':
    'The customer replied STOP to the shop’s texts, so Twilio will not send to them until they reply START (21610).',
};

/** Why an SMS failed, in words, from Twilio's ErrorCode. */
export function twilioFailureWords(errorCode: string | null): string {
  if (errorCode && TWILIO_FAILURE_WORDS[errorCode]) return TWILIO_FAILURE_WORDS[errorCode];
  return errorCode
    ? `Twilio could not deliver it (error ${errorCode}; see twilio.com/docs/api/errors/${errorCode}).`
    : 'Twilio could not deliver it and gave no reason.';
}

/** Applies one status callback in the caller's transaction. */
export function applyTwilioStatus(db: Database, status: TwilioStatus, now: number): TwilioStatusResult {
  const recipient = status.to ? status.to.replace(/^\+/, '') : null;
  const kept = stmt(
    db,
    `INSERT INTO message_delivery_update (brand_id, provider, provider_message_id, status, recipient, errors, occurred_at, received_at)
       VALUES (?, 'twilio', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  ).run(
    status.brandId,
    status.messageSid,
    status.status,
    recipient,
    status.errorCode ? JSON.stringify([{ code: status.errorCode }]) : null,
    now,
    now,
  );
  if (kept.changes === 0)
    return {
      fresh: false,
      outboxId: null,
      detail: `${status.status} for ${status.messageSid} already received`,
      optedOut: null,
    };

  const row = outboxByProviderId(db, 'sms', status.messageSid);
  const which = row ? `message #${row.id}` : `${status.messageSid} (not a message in the outbox)`;
  if (status.status === 'delivered') {
    const moved = row ? markOutboxLater(db, row.id, 'delivered', null, now) : false;
    return { fresh: true, outboxId: moved && row ? row.id : null, detail: `${which} delivered`, optedOut: null };
  }
  if (status.status !== 'undelivered' && status.status !== 'failed')
    return { fresh: true, outboxId: null, detail: `${which} ${status.status}; nothing to change`, optedOut: null };

  const reason = twilioFailureWords(status.errorCode);
  const moved = row ? markOutboxLater(db, row.id, 'failed', reason, now) : false;
  let optedOut: number | null = null;
  if (status.errorCode === '21610') {
    const who =
      row?.profileId != null
        ? { profileId: row.profileId }
        : status.to
          ? { phone: status.to, brandId: status.brandId }
          : undefined;
    if (who) optedOut = applyProviderOptOut(db, { ...who, channel: 'sms', code: '21610', at: now, now });
  }
  return {
    fresh: true,
    outboxId: moved && row ? row.id : null,
    detail: `${which} ${status.status}: ${reason}${optedOut !== null ? ' SMS opt-out recorded.' : ''}`,
    optedOut,
  };
}
