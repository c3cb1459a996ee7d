/** Messages to customers in the shop's words: the channel, the status, the cost — the same on every screen. */
import type { MessageStatus, MessageView } from '../../shared/contract/messages';
import { formatDateTime, formatMoney } from './format';

export type ChannelKey = MessageView['channel'];

export const CHANNEL_WORDS: Record<ChannelKey, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' };

/** The statuses in the order a message goes through them, as the status filter lists them. */
export const STATUS_WORDS: Record<MessageStatus, string> = {
  pending: 'Waiting to go',
  held: 'Held',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
  unknown: 'Unknown: no answer',
  cancelled: 'Not sent',
};

/** For email "sent" means the shop's mail server took it: the last news an email ever gives. */
export function statusWords(message: Pick<MessageView, 'status' | 'channel'>): string {
  if (message.status === 'sent' && message.channel === 'email') return 'Accepted by the mail server';
  return STATUS_WORDS[message.status];
}

/** A status's colour: went out, waiting, or did not go. */
export function statusTone(status: MessageStatus): 'good' | 'waiting' | 'bad' {
  if (status === 'sent' || status === 'delivered' || status === 'read') return 'good';
  if (status === 'failed' || status === 'cancelled' || status === 'unknown') return 'bad';
  return 'waiting';
}

/** Why it is waiting or did not go, and when a retry goes. */
export function reasonWords(
  message: Pick<MessageView, 'status' | 'reason' | 'nextAttemptAt' | 'attempts'>,
): string | null {
  const parts: string[] = [];
  if (message.reason) parts.push(message.reason);
  if (message.status === 'unknown' && !message.reason)
    parts.push('The provider did not answer: check with the customer before sending again');
  // A held message's reason says when it goes (08:00, tomorrow, when sending is on again); a retry says when.
  if (message.nextAttemptAt && message.status === 'pending' && message.attempts > 0)
    parts.push(`next try ${formatDateTime(message.nextAttemptAt)}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

export function costWords(message: Pick<MessageView, 'channel' | 'cost' | 'currency'>): string {
  if (message.cost !== null) return formatMoney(message.cost, message.currency);
  return message.channel === 'email' ? 'Free' : 'No price set';
}

/** The status's colour, as a style (the stylesheet belongs to the whole app): green went out, amber waits, red did not go. */
export const TONE_STYLE = {
  good: { color: '#067647', fontWeight: 600 },
  waiting: { color: '#b54708', fontWeight: 600 },
  bad: { color: 'var(--danger)', fontWeight: 600 },
} as const;

/** Still moving (the page asks again shortly). */
export const inFlight = (messages: readonly Pick<MessageView, 'status'>[]) =>
  messages.some((m) => m.status === 'pending' || m.status === 'sending');
