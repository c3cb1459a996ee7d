/**
 * `enqueueMessage`: every message to a customer is a `message_outbox` row before anything is sent (ARCHITECTURE.md,
 * "one that talks to the outside world writes an outbox row first"). The row is written on the caller's connection,
 * so inside a caller's transaction it commits or rolls back with it (an automation's decision and its message are
 * one fact). It is written already held (quiet hours, sending paused) or cancelled (no consent) with the reason, so
 * the screen that asked can say so at once; the worker (outbox-worker.ts) sends it when it is due.
 */
import type { EngineContext } from '../context';
import { insertOutboxRow, type OutboxBody, type OutboxKind } from '../db/repos/message-outbox';
import { readSettings } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { decide, type GuardDecision, priceOf } from './outbox-guards';
import { outboxOf } from './outbox-worker';
import type { ChannelName } from './types';

/**
 * A row's body as composing writes it: besides what the sender sends, a WhatsApp message keeps its approved-template
 * form (`approvedTemplate`), so WhatsApp's later "the window was closed" (131047) can send it again as the template.
 */
export interface ComposedBody extends OutboxBody {
  approvedTemplate?: { name: string; language: string; parameters: string[] };
}

export interface EnqueueInput extends ComposedBody {
  channel: ChannelName;
  /** An email address, or a phone number in E.164. */
  to: string;
  profileId?: number | null;
  /** marketing (default): consent, quiet hours, caps; service: a reply in the customer's own conversation. */
  kind?: OutboxKind;
  /** customer360, cli, automation, campaign, test. */
  source?: string;
  executionId?: number | null;
  /** Not before this time (ms), with this reason (WhatsApp 131049: wait at least a day before trying again). */
  notBefore?: { at: number; reason: string };
  /**
   * The guards' decision for this very message, made by `composeMessage` in the same synchronous step (nothing can
   * change between the two): taken as it is rather than made again.
   */
  decided?: GuardDecision | undefined;
}

export interface Enqueued {
  id: number;
  status: 'pending' | 'held' | 'cancelled';
  /** Why it is held or cancelled; null when it goes as soon as the worker reaches it. */
  reason: string | null;
  /** When it may go (ms since the epoch). */
  sendAfter: number;
  cost: number | null;
  currency: string;
}

export function enqueueMessage(ctx: EngineContext, input: EnqueueInput): Enqueued {
  const now = ctx.clock.now();
  const settings = readSettings(ctx.db);
  const subject = {
    channel: input.channel,
    recipient: input.to,
    profileId: input.profileId ?? null,
    kind: input.kind ?? 'marketing',
  };
  const decision = input.decided ?? decide(ctx, outboxOf(ctx).deps, settings, subject, now, { countCap: true });
  const cost = priceOf(settings, input.channel);
  const currency = shopCurrency(ctx);
  let status: Enqueued['status'] = decision.go ? 'pending' : decision.status;
  let reason = decision.go ? null : decision.reason;
  let sendAfter = !decision.go && decision.status === 'held' ? decision.until : now.getTime();
  // The guards are asked again when it is due; until then it waits with the later of the two reasons.
  if (input.notBefore && status !== 'cancelled' && input.notBefore.at > sendAfter) {
    status = 'held';
    reason = input.notBefore.reason;
    sendAfter = input.notBefore.at;
  }
  const body: ComposedBody = { text: input.text };
  if (input.subject !== undefined) body.subject = input.subject;
  if (input.html !== undefined) body.html = input.html;
  if (input.template !== undefined) body.template = input.template;
  if (input.headers !== undefined) body.headers = input.headers;
  if (input.approvedTemplate !== undefined) body.approvedTemplate = input.approvedTemplate;
  const id = insertOutboxRow(ctx.db, {
    brandId: ctx.brandId,
    channel: input.channel,
    recipient: input.to,
    body,
    status,
    statusReason: reason,
    profileId: subject.profileId,
    kind: subject.kind,
    source: input.source ?? 'customer360',
    cost,
    currency,
    nextAttemptAt: sendAfter,
    executionId: input.executionId ?? null,
    now: now.getTime(),
  });
  if (status === 'pending') outboxOf(ctx).kick();
  return { id, status, reason, sendAfter, cost, currency };
}
