/**
 * What the outbox worker is given rather than reaching for: the sender of each channel and the consent check.
 * By default they are the transports of Settings → Channels (`senders.ts`) and the consent rules (`consent.ts`);
 * tests inject their own (a sender that POSTs to a loopback sink) through `configureOutbox`.
 */
import type { EngineContext } from '../context';
import type { OutboxKind } from '../db/repos/message-outbox';
import { mayMarket, mayServe } from './consent';
import { sendThreadOf } from './send-thread';
import { senderSetupOf } from './senders';
import type { ChannelName, ChannelSender } from './types';

export type ConsentVerdict = { ok: true } | { ok: false; reason: string };

export interface OutboxDeps {
  /** The channel's transport; undefined while it is not connected (its messages wait, saying so). */
  senderFor(channel: ChannelName): ChannelSender | undefined;
  /** May this message go to this customer on this channel now? Asked when it is written and again before sending. */
  consent(profileId: number | null, channel: ChannelName, kind: OutboxKind): ConsentVerdict;
  /** Sends in flight at once on each channel (each channel is a lane of its own: outbox-worker.ts). */
  concurrency: number;
  /**
   * The round trip assumed for WhatsApp and Twilio calls over the internet: their lanes keep enough sends in flight
   * to hold the channel's messages-per-second at that latency (80/s at 400 ms needs 32), never fewer than
   * `concurrency`. Email keeps `concurrency`, or a twentieth of a second's worth at its rate when that is more
   * (outbox-worker.ts): its SMTP pool has few connections, and the mails beyond them wait in the pool.
   */
  networkLatencyMs: number;
  /** No answer within this long is `unknown` (the request went out; it may have been taken). */
  sendTimeoutMs: number;
  /** Tries for a message the provider refused with "try again" before it counts as failed. */
  maxAttempts: number;
  /** How often the worker looks for due messages. */
  pollMs: number;
}

export const CHANNEL_LABEL: Record<ChannelName, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' };

/** The channel's transport as set up in Settings → Channels; undefined while it is not connected. */
export function defaultSenderFor(ctx: EngineContext): (channel: ChannelName) => ChannelSender | undefined {
  return (channel) => {
    const setup = senderSetupOf(ctx, channel);
    // The sends run in the outbox's sending thread (send-thread.ts), off the thread that answers pages and webhooks.
    return setup && sendThreadOf(ctx).senderFor(setup);
  };
}

/**
 * The consent rules (consent.ts): marketing only to the customer's yes on that channel ("unknown" is not yes), a
 * service message to anyone who has not opted out of it; marketing never to an unknown recipient.
 */
export function defaultConsent(
  ctx: EngineContext,
): (profileId: number | null, channel: ChannelName, kind: OutboxKind) => ConsentVerdict {
  return (profileId, channel, kind) => {
    if (profileId === null)
      return kind === 'service' ? { ok: true } : { ok: false, reason: 'Marketing goes only to a known customer' };
    return kind === 'marketing' ? mayMarket(ctx.db, profileId, channel) : mayServe(ctx.db, profileId, channel);
  };
}

export function defaultOutboxDeps(ctx: EngineContext): OutboxDeps {
  return {
    senderFor: defaultSenderFor(ctx),
    consent: defaultConsent(ctx),
    // 8 a channel: with 4 in flight an email connection sat idle between mails (222 vs 289 a second in `npm run
    // bench -- outbox`). Over the internet each send waits a round trip: at 250 ms, 8 in flight allow about 32 a
    // second, below WhatsApp's 80 (loopback does not show this).
    concurrency: 8,
    networkLatencyMs: 400,
    sendTimeoutMs: 30_000,
    maxAttempts: 5,
    pollMs: 1_000,
  };
}
