/**
 * What the outbox worker is given rather than reaching for: the sender of each channel and the consent check.
 * Both arrive from other work on issue 17 (the transports in `channels/senders.ts`, the consent rules in
 * `channels/consent.ts`); until they are merged the defaults below stand in, and tests inject their own (a sender
 * that POSTs to a loopback sink) through `configureOutbox`.
 *
 * MERGE NOTE: `defaultSenderFor` becomes `(channel) => channelSenderOf(ctx, channel)` and `defaultConsent` becomes
 * `mayMarket` / `mayServe` from consent.ts. Nothing else in the outbox changes.
 */
import type { EngineContext } from '../context';
import type { OutboxKind } from '../db/repos/message-outbox';
import { stmt } from '../db/statements';
import type { ChannelName, ChannelSender } from './types';

export type ConsentVerdict = { ok: true } | { ok: false; reason: string };

export interface OutboxDeps {
  /** The channel's transport; undefined while it is not connected (its messages wait, saying so). */
  senderFor(channel: ChannelName): ChannelSender | undefined;
  /** May this message go to this customer on this channel now? Asked when it is written and again before sending. */
  consent(profileId: number | null, channel: ChannelName, kind: OutboxKind): ConsentVerdict;
  /** Sends in flight at once, across channels. */
  concurrency: number;
  /** No answer within this long is `unknown` (the request went out; it may have been taken). */
  sendTimeoutMs: number;
  /** Tries for a message the provider refused with "try again" before it counts as failed. */
  maxAttempts: number;
  /** How often the worker looks for due messages. */
  pollMs: number;
}

export const CHANNEL_LABEL: Record<ChannelName, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' };

/** Stand-in until senders.ts is merged: no channel is connected. */
export function defaultSenderFor(_ctx: EngineContext): (channel: ChannelName) => ChannelSender | undefined {
  return () => undefined;
}

/**
 * Stand-in until consent.ts is merged (it replaces this whole function). Marketing: only a yes in the profile's
 * `<channel>_consent` column ("unknown" is not yes). Both kinds: never after the customer's latest word on the
 * channel in `consent_event` was an opt-out.
 */
export function defaultConsent(
  ctx: EngineContext,
): (profileId: number | null, channel: ChannelName, kind: OutboxKind) => ConsentVerdict {
  return (profileId, channel, kind) => {
    const label = CHANNEL_LABEL[channel];
    if (profileId === null)
      return kind === 'service' ? { ok: true } : { ok: false, reason: 'Marketing goes only to a known customer' };
    const latest = stmt(
      ctx.db,
      `SELECT state FROM consent_event WHERE profile_id = ? AND channel = ? ORDER BY recorded_at DESC, id DESC LIMIT 1`,
    ).get(profileId, channel) as { state: string } | undefined;
    if (latest?.state === 'opted_out') return { ok: false, reason: `The customer opted out of ${label}` };
    if (kind === 'service') return { ok: true };
    const column = `${channel}_consent`;
    const row = stmt(ctx.db, `SELECT ${column} AS consent FROM customer_profile WHERE id = ?`).get(profileId) as
      | { consent: number | null }
      | undefined;
    if (row?.consent === 1) return { ok: true };
    return { ok: false, reason: `No marketing consent on ${label} (the customer has not said yes)` };
  };
}

export function defaultOutboxDeps(ctx: EngineContext): OutboxDeps {
  return {
    senderFor: defaultSenderFor(ctx),
    consent: defaultConsent(ctx),
    concurrency: 4,
    sendTimeoutMs: 30_000,
    maxAttempts: 5,
    pollMs: 1_000,
  };
}
