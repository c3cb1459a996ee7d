/**
 * The customer's own conversation window: WhatsApp lets a business write freely (free text, service replies) only
 * within 24 hours of the customer's last message to it; outside, only an approved template. The same 24 hours
 * decide whether an SMS reply is service. The last message is the customer's `message_in` (WhatsApp's webhook, and
 * inbound SMS rows). Email has no such window: ConstIntel cannot tell a reply from a new message there.
 */
import type { Database } from '../db/open';
import { lastInboundAt } from '../db/repos/message-resend';
import { CHANNEL_WORDS } from './consent';
import type { ChannelName } from './types';

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ConversationWindow {
  /** When the customer last wrote on this channel (ms), or null if never. */
  lastInboundAt: number | null;
  /** Until when the window is open (ms), or null when it is closed or never opened. */
  openUntil: number | null;
}

export function conversationWindow(
  db: Database,
  profileId: number,
  channel: ChannelName,
  now: number,
): ConversationWindow {
  if (channel === 'email') return { lastInboundAt: null, openUntil: null };
  const last = lastInboundAt(db, profileId, channel);
  const until = last === null ? null : last + WINDOW_MS;
  return { lastInboundAt: last, openUntil: until !== null && until > now ? until : null };
}

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** Why the window is closed, in the shop's words. */
export function closedWindowWords(channel: ChannelName, window: ConversationWindow): string {
  const words = CHANNEL_WORDS[channel];
  return window.lastInboundAt === null
    ? `the customer has never written to the shop on ${words}`
    : `the customer last wrote on ${words} at ${when(window.lastInboundAt)} UTC, more than 24 hours ago`;
}

/** Whether a service message (a reply in their own conversation) may go on this channel, and if not why. */
export function serviceAllowed(
  channel: ChannelName,
  window: ConversationWindow,
): { allowed: true } | { allowed: false; reason: string } {
  if (channel === 'email')
    return {
      allowed: false,
      reason:
        'A service email cannot be sent from ConstIntel: it cannot tell a reply from a new email. Reply from your mail program, or send it as marketing (it needs their yes to email).',
    };
  if (window.openUntil !== null) return { allowed: true };
  return {
    allowed: false,
    reason: `A service message is only a reply inside the customer's own conversation (24 hours from their last message), and ${closedWindowWords(channel, window)}. Send it as marketing instead (it needs their yes).`,
  };
}
