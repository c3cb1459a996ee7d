/**
 * Live events (the event API, webhooks, the checkout sweep), inside the `events.normalized` subscriber's transaction:
 * a purchase cancels the customer's cart reminders still waiting (their occasion and any message not yet gone) and
 * may fire "first purchase" and "lifetime value reaches"; a cart add, checkout or abandoned checkout opens a cart
 * occasion that waits `afterHours`; a product view, cart add or search may fire "interest in a product".
 */
import type { EngineContext } from '../context';
import { stakeOf } from '../db/repos/automation-candidates';
import {
  insertDecision,
  openOccasion,
  purchasedBefore,
  purchaseFacts,
  setExecution,
  unsentMessagesOf,
  waitingCartOccasions,
} from '../db/repos/automations';
import { markOutboxFinal } from '../db/repos/message-outbox';
import { readSettings } from '../settings/settings-store';
import { type Automation, HOUR_MS } from './definition';
import { fireAll, intentPending, type Pending } from './evaluate';
import { enabledAutomations } from './store';

export interface LiveEvent {
  eventId: number;
  profileId: number;
  type: string;
  occurredAt: number;
}

/**
 * Live events, inside the stream subscriber's transaction (so the decisions and messages commit with its offset:
 * exactly once). A purchase first cancels what it makes pointless.
 */
export function onLiveEvents(ctx: EngineContext, events: readonly LiveEvent[]): void {
  const automations = enabledAutomations(ctx);
  const now = ctx.clock.now().getTime();
  const pending: Pending[] = [];
  for (const event of events) {
    if (event.type === 'purchase') cancelCartReminders(ctx, event.profileId, now);
    const facts = purchaseFacts(ctx.db, event.profileId);
    if (!facts) continue;
    for (const a of automations) {
      const t = a.trigger;
      const stake = () => stakeOf(ctx.db, event.profileId);
      const at = event.occurredAt;
      const occasion = (key: string) => ({
        profileId: event.profileId,
        key: `${event.profileId}:${key}`,
        occurredAt: at,
      });
      // Their first purchase: no purchase stored before this one (read from the events, not the running totals,
      // which lag behind while an import runs and count two purchases that arrived together).
      if (
        event.type === 'purchase' &&
        t.type === 'first_purchase' &&
        !purchasedBefore(ctx.db, event.profileId, event.eventId)
      )
        pending.push({ automation: a, occasion: occasion('welcome'), stake: stake() });
      if (event.type === 'purchase' && t.type === 'ltv_milestone' && facts.lifetimeValue >= t.amount)
        pending.push({ automation: a, occasion: occasion(`ltv:${t.amount}`), stake: stake() });
      if (
        t.type === 'abandoned_cart' &&
        (event.type === 'cart_add' || event.type === 'checkout_started' || event.type === 'cart_abandoned')
      )
        openCart(ctx, a, event, facts.lastPurchaseAt, now);
      if (
        t.type === 'product_intent' &&
        (event.type === 'product_view' || event.type === 'cart_add' || event.type === 'search')
      )
        pending.push(...intentPending(ctx, a, now, event.profileId));
    }
  }
  if (pending.length > 0) fireAll(ctx, pending);
}

/** A cart occasion (one per cart: the cart since their last purchase), waiting `afterHours` from the event. */
function openCart(
  ctx: EngineContext,
  a: Automation,
  event: LiveEvent,
  lastPurchaseAt: number | null,
  now: number,
): void {
  if (a.trigger.type !== 'abandoned_cart') return;
  // An abandoned checkout is dated when the shop's delay ran out; the cart was last touched that long before.
  const touchedAt =
    event.type === 'cart_abandoned'
      ? event.occurredAt - readSettings(ctx.db).abandonedCheckoutMinutes * 60_000
      : event.occurredAt;
  if (lastPurchaseAt !== null && lastPurchaseAt >= touchedAt) return;
  const resumeAt = touchedAt + a.trigger.afterHours * HOUR_MS;
  const key = `${event.profileId}:cart:${lastPurchaseAt ?? 0}`;
  const id = openCartRow(ctx, a, event.profileId, key, touchedAt, resumeAt, now);
  if (id !== undefined)
    insertDecision(
      ctx.db,
      ctx.brandId,
      {
        automationId: a.id,
        profileId: event.profileId,
        executionId: id,
        outcome: 'waiting',
        guard: null,
        reason: `Cart noticed: a reminder goes ${a.trigger.afterHours} hour${a.trigger.afterHours === 1 ? '' : 's'} after it unless they buy first.`,
        outboxId: null,
      },
      now,
    );
}

function openCartRow(
  ctx: EngineContext,
  a: Automation,
  profileId: number,
  key: string,
  occurredAt: number,
  resumeAt: number,
  now: number,
): number | undefined {
  return openOccasion(
    ctx.db,
    ctx.brandId,
    { automationId: a.id, profileId, key, occurredAt, resumeAt, status: 'waiting' },
    now,
  );
}

/** A purchase: the customer's cart reminders still waiting are cancelled, and their messages not yet gone. */
export function cancelCartReminders(ctx: EngineContext, profileId: number, now: number): number {
  let cancelled = 0;
  for (const e of waitingCartOccasions(ctx.db, profileId)) {
    const unsent = unsentMessagesOf(ctx.db, e.id);
    for (const id of unsent)
      markOutboxFinal(ctx.db, id, 'cancelled', 'They bought before this reminder went: not sent.', now);
    if (e.status !== 'waiting' && unsent.length === 0) continue;
    setExecution(ctx.db, e.id, { status: 'cancelled', detail: 'bought' }, now);
    insertDecision(
      ctx.db,
      ctx.brandId,
      {
        automationId: e.automationId,
        profileId,
        executionId: e.id,
        outcome: 'cancelled',
        guard: 'bought',
        reason: 'Not sent: they bought, so the cart reminder was cancelled.',
        outboxId: unsent[0] ?? null,
      },
      now,
    );
    cancelled += 1;
  }
  return cancelled;
}
