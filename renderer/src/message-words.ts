/** Messages to customers in the shop's words: the channel, the status, the cost — the same on every screen. */
import type { MessageStatus, MessageView, Verdict } from '../../shared/contract/messages';
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

/**
 * Why a message waits, read on from "held": "until 08:00 their time (quiet hours)", "while sending is paused (…)",
 * "until tomorrow: daily limit … reached (…)"; any other reason as ": <reason>".
 */
export function heldTail(reason: string | null): string {
  if (!reason) return ': it waits';
  const quiet = /^Quiet hours: sends at (.+)$/.exec(reason);
  if (quiet) return ` until ${quiet[1]} (quiet hours)`;
  const paused = /^Sending is paused(.*)$/.exec(reason);
  if (paused) return ` while sending is paused${paused[1]}`;
  const cap = /^Daily limit (.+): sends tomorrow$/.exec(reason);
  if (cap) return ` until tomorrow: daily limit ${cap[1]}`;
  return `: ${reason}`;
}

/** A held message in a sentence: "Held until 08:00 their time (quiet hours)". */
export const heldWords = (reason: string | null) => `Held${heldTail(reason)}`;

/** What the preview says will happen to the message. */
export function verdictWords(verdict: Pick<Verdict, 'status' | 'reason'>): string {
  if (verdict.status === 'pending') return 'Goes now.';
  if (verdict.status === 'held') return `${heldWords(verdict.reason)}.`;
  return `Will not be sent: ${verdict.reason ?? 'it is refused'}.`;
}

const SEE_IT = 'See it under “Messages to them”.';

/** What became of the message just sent, from the message the send wrote (not the preview's guess). */
export function sentWords(message: Pick<MessageView, 'status' | 'reason' | 'channel'>): {
  words: string;
  tone: 'good' | 'bad';
} {
  const reason = message.reason ? `: ${message.reason}` : '';
  switch (message.status) {
    case 'pending':
    case 'sending':
      return { words: `Sent to the outbox: it goes now. ${SEE_IT}`, tone: 'good' };
    case 'held':
      return {
        words: `Written, and held${heldTail(message.reason)}. It goes by itself when it can; ${SEE_IT.replace('See', 'see')}`,
        tone: 'good',
      };
    case 'sent':
    case 'delivered':
    case 'read':
      return { words: `${statusWords(message)}. ${SEE_IT}`, tone: 'good' };
    case 'cancelled':
      return { words: `Not sent${reason || ': it was refused'}.`, tone: 'bad' };
    case 'failed':
      return { words: `Not sent: it failed${reason}.`, tone: 'bad' };
    default:
      return { words: `${reasonWords({ ...message, nextAttemptAt: null, attempts: 0 })}. ${SEE_IT}`, tone: 'bad' };
  }
}

/** The preview's note on fields this customer has no value for (their fallback text is used instead). */
export function fellBackWords(fields: readonly string[], channel: ChannelKey): string[] {
  const notes: string[] = [];
  const others = fields.filter((f) => f !== 'unsubscribe_link');
  if (others.length > 0)
    notes.push(
      `No value for ${others.map((f) => `{{${f}}}`).join(', ')} for this customer: your fallback text is used.`,
    );
  if (fields.includes('unsubscribe_link'))
    notes.push(
      channel === 'email'
        ? '{{unsubscribe_link}}: the unsubscribe link needs your shop’s public address (Settings → Connections); until then your fallback text is used.'
        : `{{unsubscribe_link}}: ${CHANNEL_WORDS[channel]} carries no link, so your fallback text is used.`,
    );
  return notes;
}

export type AmountRead = { ok: true; value: number | null } | { ok: false };

/**
 * A price or limit as the owner types it: empty is none (null); "0,05" is 0.05. Anything else — letters, a currency
 * sign (a provider may charge in another currency than the shop's), "1e3", a minus sign, a fraction where a whole
 * number is wanted — is not read.
 */
export function readAmount(typed: string, whole = false): AmountRead {
  const trimmed = typed.trim().replace(/^(\d*),(\d+)$/, '$1.$2');
  if (trimmed === '') return { ok: true, value: null };
  const pattern = whole ? /^\d+$/ : /^(\d+\.?\d*|\.\d+)$/;
  return pattern.test(trimmed) ? { ok: true, value: Number(trimmed) } : { ok: false };
}

type Priced = 'sms' | 'whatsapp';

/**
 * Settings → Channels: the daily limits and prices as typed, or the first one that cannot be read, in words beside
 * it — then nothing is saved (an unreadable value must never wipe the one stored). Empty is "none".
 */
export function readLimitsAndPrices(draft: {
  caps: Record<ChannelKey, string>;
  prices: Record<Priced, string>;
}):
  | { ok: true; patch: { dailyCaps: Record<ChannelKey, number | null>; messagePrices: Record<Priced, number | null> } }
  | { ok: false; field: string; message: string } {
  const dailyCaps: Record<ChannelKey, number | null> = { email: null, sms: null, whatsapp: null };
  const messagePrices: Record<Priced, number | null> = { sms: null, whatsapp: null };
  for (const channel of ['email', 'sms', 'whatsapp'] as const) {
    const label = CHANNEL_WORDS[channel];
    const cap = readAmount(draft.caps[channel], true);
    if (!cap.ok)
      return {
        ok: false,
        field: `dailyCaps.${channel}`,
        message: `${label} daily limit: give a whole number of messages such as 200, or leave it empty for no limit.`,
      };
    dailyCaps[channel] = cap.value;
    if (channel === 'email') continue;
    const price = readAmount(draft.prices[channel]);
    if (!price.ok)
      return {
        ok: false,
        field: `messagePrices.${channel}`,
        message: `${label} price: give a number such as 0.05, without the currency sign, or leave it empty for no price.`,
      };
    messagePrices[channel] = price.value;
  }
  return { ok: true, patch: { dailyCaps, messagePrices } };
}
