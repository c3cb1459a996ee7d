/**
 * Whether a message may go now, and if not, why and until when — the one decision both `enqueueMessage` (so a send
 * screen shows "held: quiet hours" at once) and the worker (again, just before sending: consent, settings and the
 * hour may have changed since) make. In order: consent (refused → cancelled), pause all sending, quiet hours for
 * marketing, the channel's daily cap. The reasons are the shop's words, shown on the Messages page.
 */
import type { EngineContext } from '../context';
import { firstIdentifierValue } from '../db/repos/identifiers';
import type { OutboxKind } from '../db/repos/message-outbox';
import { sentSince } from '../db/repos/message-outbox';
import type { StoredSettings } from '../settings/settings-store';
import { CHANNEL_WORDS } from './consent';
import type { OutboxDeps } from './outbox-deps';
import { customerTimeZone, dayBounds, QUIET_REASON, quietUntil } from './quiet-hours';
import type { ChannelName } from './types';

export const PAUSED_REASON = 'Sending is paused (Settings → Channels)';

export interface GuardSubject {
  channel: ChannelName;
  recipient: string;
  profileId: number | null;
  kind: OutboxKind;
}

export type GuardDecision =
  | { go: true }
  | { go: false; status: 'held'; reason: string; until: number }
  | { go: false; status: 'cancelled'; reason: string };

/** The phone whose country gives the customer's time zone: the recipient on SMS/WhatsApp, else their profile's. */
function phoneOf(ctx: EngineContext, subject: GuardSubject): string | null {
  if (subject.channel !== 'email') return subject.recipient;
  return subject.profileId === null ? null : firstIdentifierValue(ctx.db, subject.profileId, 'phone');
}

export function decide(
  ctx: EngineContext,
  deps: Pick<OutboxDeps, 'consent'>,
  settings: StoredSettings,
  subject: GuardSubject,
  now: Date,
  options: { countCap: boolean },
): GuardDecision {
  const consent = deps.consent(subject.profileId, subject.channel, subject.kind);
  if (!consent.ok) return { go: false, status: 'cancelled', reason: consent.reason };
  if (settings.sendingPaused) return { go: false, status: 'held', reason: PAUSED_REASON, until: now.getTime() };
  if (subject.kind === 'marketing') {
    const until = quietUntil(now, customerTimeZone(phoneOf(ctx, subject), settings.timeZone));
    if (until !== undefined) return { go: false, status: 'held', reason: QUIET_REASON, until };
  }
  const cap = settings.dailyCaps[subject.channel];
  if (options.countCap && cap !== null) {
    const day = dayBounds(now, settings.timeZone);
    if (sentSince(ctx.db, subject.channel, day.start) >= cap)
      return {
        go: false,
        status: 'held',
        reason: `Daily limit of ${cap} ${CHANNEL_WORDS[subject.channel]} message${cap === 1 ? '' : 's'} reached (Settings → Channels): sends tomorrow`,
        until: day.end,
      };
  }
  return { go: true };
}

/** The shop-entered price of one message on the channel (email has none). */
export function priceOf(settings: StoredSettings, channel: ChannelName): number | null {
  return channel === 'email' ? null : settings.messagePrices[channel];
}
