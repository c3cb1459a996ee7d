/**
 * When automations are evaluated, and for whom. Only live events fire them (the event API, webhooks, the checkout
 * sweep, the scheduler); an imported history never does.
 *
 * - A live event (`events.normalized`, origin live): a purchase cancels the customer's waiting cart reminders (their
 *   occasion and any message not yet gone, in the same transaction) and may fire "first purchase" and "lifetime
 *   value reaches"; a cart add or checkout opens a cart occasion that waits `afterHours`; a product view, cart add or
 *   search may fire "interest in a product".
 * - New scores (`predictions.updated`): churn risk and segment crossings for everyone, and the time-based triggers.
 * - The scheduler (every 5 minutes): occasions whose wait is over, and the time-based triggers (no purchase for N
 *   days, next purchase overdue) for crossings dated after the automation was armed.
 * - Switching on and Run now (`armAutomation`): everyone already in the state, then only new crossings.
 *
 * State occasions: churn risk and segment keep one open occasion per customer (`<id>:churn:open`) while they stay in
 * the state; leaving it closes the occasion, so the next crossing is a new one. The others carry what tells them
 * apart in the key: the cart (the last purchase before it), the product, the milestone, the lapse's last purchase,
 * the expected date. Several automations meeting customers at once go in priority order, then the larger value at
 * stake (churn risk × predicted value), so the frequency cap keeps the messages that matter most.
 */
import type { RunResult } from '../../../shared/contract/automations';
import type { EngineContext } from '../context';
import {
  type Candidate,
  conditionsWhere,
  inState,
  stakeOf,
  triggerState,
  type Where,
} from '../db/repos/automation-candidates';
import {
  boughtSince,
  cartProductsSince,
  closeStateOccasion,
  dueExecutions,
  insertDecision,
  markRun,
  openOccasion,
  openStateOccasions,
  purchaseFacts,
  setExecution,
  unsentMessagesOf,
  waitingCartOccasions,
} from '../db/repos/automations';
import { markOutboxFinal } from '../db/repos/message-outbox';
import { highIntentProducts, intentForAll } from '../ml/intent';
import { normalizeOptions } from '../settings/shop-settings';
import { type Automation, HOUR_MS } from './definition';
import { type FireOptions, fireOccasion, type Occasion, type Outcome, resumeOccasion } from './fire';
import { automationSigningKey } from './signing';
import { enabledAutomations, loadAutomation } from './store';

/** Customers handled per transaction in a sweep: others (webhooks, pages) get the write lock between batches. */
const BATCH = 500;

interface Pending {
  automation: Automation;
  occasion: Occasion;
  stake: number;
}

function fireOptions(ctx: EngineContext, a: Automation, logHandled: boolean): FireOptions {
  return {
    logHandled,
    where: whereOf(ctx, a),
    signingKey: () => automationSigningKey(ctx),
  };
}

const whereCache = new WeakMap<Automation, Where>();
function whereOf(ctx: EngineContext, a: Automation): Where {
  let where = whereCache.get(a);
  if (!where) {
    where = conditionsWhere(a.conditions, normalizeOptions(ctx).defaultCountry);
    whereCache.set(a, where);
  }
  return where;
}

const tally = () => ({ evaluated: 0, fired: 0, skipped: 0, waiting: 0, held: 0, failed: 0 });
type Tally = ReturnType<typeof tally>;

function count(t: Tally, outcome: Outcome): void {
  t.evaluated += 1;
  if (
    outcome === 'fired' ||
    outcome === 'skipped' ||
    outcome === 'waiting' ||
    outcome === 'held' ||
    outcome === 'failed'
  )
    t[outcome] += 1;
  if (outcome === 'cancelled') t.skipped += 1;
}

/** Fires each pending occasion in priority order, then value at stake; inside the caller's transaction. */
function fireAll(ctx: EngineContext, pending: Pending[], logHandled: boolean, t: Tally = tally()): Tally {
  pending.sort(
    (x, y) =>
      x.automation.priority - y.automation.priority ||
      y.stake - x.stake ||
      x.automation.id - y.automation.id ||
      x.occasion.profileId - y.occasion.profileId,
  );
  const options = new Map<number, FireOptions>();
  for (const p of pending) {
    let o = options.get(p.automation.id);
    if (!o) {
      o = fireOptions(ctx, p.automation, logHandled);
      options.set(p.automation.id, o);
    }
    count(t, fireOccasion(ctx, p.automation, p.occasion, o));
  }
  return t;
}

/** Fires in batches of BATCH, each its own transaction. */
function fireInBatches(ctx: EngineContext, pending: Pending[], t: Tally): void {
  pending.sort((x, y) => x.automation.priority - y.automation.priority || y.stake - x.stake);
  for (let i = 0; i < pending.length; i += BATCH) {
    const batch = pending.slice(i, i + BATCH);
    ctx.db.sqlite.transaction(() => fireAll(ctx, batch, false, t)).immediate();
  }
}

// ---- state triggers: who is in the state now ----

interface StateSweep {
  candidates: Candidate[];
  /** The occasion key for a candidate. */
  key(c: Candidate): string;
  /** Open state occasions close when the customer is no longer in the state. */
  openState?: string;
  /** Time-based: the crossing's date must be after the automation was armed (unless arming now). */
  timeBased?: boolean;
}

function stateSweep(ctx: EngineContext, a: Automation, now: number): StateSweep | undefined {
  const state = triggerState(a.trigger, now);
  if (!state) return undefined;
  const candidates = inState(ctx.db, ctx.brandId, state, state);
  const t = a.trigger;
  switch (t.type) {
    case 'churn_risk':
      return { candidates, key: (c) => `${c.profileId}:churn:open`, openState: 'churn' };
    case 'segment_entered':
      return { candidates, key: (c) => `${c.profileId}:segment:open`, openState: 'segment' };
    case 'ltv_milestone':
      return { candidates, key: (c) => `${c.profileId}:ltv:${t.amount}` };
    case 'no_purchase':
      return { candidates, key: (c) => `${c.profileId}:lapse:${c.mark}`, timeBased: true };
    case 'purchase_overdue':
      return { candidates, key: (c) => `${c.profileId}:overdue:${c.mark}`, timeBased: true };
    default:
      return undefined;
  }
}

/** Closes open state occasions of customers who left the state (their next crossing is a new occasion). */
function closeLeft(ctx: EngineContext, a: Automation, sweep: StateSweep): void {
  if (!sweep.openState) return;
  const inNow = new Set(sweep.candidates.map((c) => c.profileId));
  const left = openStateOccasions(ctx.db, a.id, sweep.openState).filter((o) => !inNow.has(o.profileId));
  if (left.length === 0) return;
  ctx.db.sqlite
    .transaction(() => {
      for (const o of left) closeStateOccasion(ctx.db, o.id);
    })
    .immediate();
}

/** The pending occasions of one automation's state sweep (`arming`: everyone in the state, whenever they crossed). */
function statePending(ctx: EngineContext, a: Automation, now: number, arming: boolean): Pending[] {
  const sweep = stateSweep(ctx, a, now);
  if (!sweep) return a.trigger.type === 'product_intent' ? intentPending(ctx, a, now) : [];
  closeLeft(ctx, a, sweep);
  const armedAt = a.armedAt ?? now;
  return sweep.candidates
    .filter((c) => arming || !sweep.timeBased || (c.at !== null && c.at >= armedAt))
    .map((c) => ({
      automation: a,
      occasion: { profileId: c.profileId, key: sweep.key(c), occurredAt: c.at ?? now },
      stake: c.stake,
    }));
}

/** Interest in a product at or above the threshold, once per product, leaving out what is in their cart. */
function intentPending(ctx: EngineContext, a: Automation, now: number, onlyProfile?: number): Pending[] {
  if (a.trigger.type !== 'product_intent') return [];
  const minScore = a.trigger.atLeast;
  const byProfile =
    onlyProfile === undefined
      ? intentForAll(ctx.db, ctx.brandId, now, { minScore })
      : new Map([[onlyProfile, highIntentProducts(ctx.db, ctx.brandId, onlyProfile, { now, minScore })]]);
  const out: Pending[] = [];
  for (const [profileId, intents] of byProfile) {
    if (intents.length === 0) continue;
    const last = purchaseFacts(ctx.db, profileId)?.lastPurchaseAt ?? 0;
    const inCart = cartProductsSince(ctx.db, profileId, last);
    const stake = stakeOf(ctx.db, profileId);
    for (const intent of intents) {
      if (inCart.has(intent.product.toLowerCase()) || inCart.has(intent.title.toLowerCase())) continue;
      out.push({
        automation: a,
        occasion: { profileId, key: `${profileId}:intent:${intent.product}`, occurredAt: intent.lastSignalAt },
        stake,
      });
      // One product per evaluation: the strongest; the next is its own occasion another time (cooldown between).
      break;
    }
  }
  return out;
}

// ---- waiting occasions ----

function resumeDue(ctx: EngineContext, now: number, only?: number, t: Tally = tally()): Tally {
  for (;;) {
    const due = dueExecutions(ctx.db, ctx.brandId, now, BATCH).filter(
      (e) => only === undefined || e.automationId === only,
    );
    if (due.length === 0) return t;
    ctx.db.sqlite
      .transaction(() => {
        const loaded = new Map<number, Automation | null>();
        for (const e of due) {
          if (!loaded.has(e.automationId)) {
            try {
              loaded.set(e.automationId, loadAutomation(ctx, e.automationId));
            } catch {
              loaded.set(e.automationId, null);
            }
          }
          const a = loaded.get(e.automationId);
          if (!a?.enabled || e.profileId === null) {
            setExecution(ctx.db, e.id, { status: 'cancelled', detail: 'off' }, now);
            continue;
          }
          // A cart whose customer bought since: the reminder is not needed.
          if (
            a.trigger.type === 'abandoned_cart' &&
            e.step === 0 &&
            boughtSince(ctx.db, e.profileId, e.occurredAt ?? 0)
          ) {
            setExecution(ctx.db, e.id, { status: 'cancelled', detail: 'bought' }, now);
            insertDecision(
              ctx.db,
              ctx.brandId,
              {
                automationId: a.id,
                profileId: e.profileId,
                executionId: e.id,
                outcome: 'cancelled',
                guard: 'bought',
                reason: 'Not sent: they bought before the reminder was due.',
                outboxId: null,
              },
              now,
            );
            t.evaluated += 1;
            t.skipped += 1;
            continue;
          }
          count(
            t,
            resumeOccasion(ctx, a, { id: e.id, profileId: e.profileId, step: e.step }, fireOptions(ctx, a, false)),
          );
        }
      })
      .immediate();
    if (due.length < BATCH) return t;
  }
}

function words(t: Tally): string {
  const parts = [
    `${t.evaluated.toLocaleString('en')} customer${t.evaluated === 1 ? '' : 's'} looked at`,
    `${t.fired.toLocaleString('en')} acted on`,
  ];
  if (t.held > 0) parts.push(`${t.held.toLocaleString('en')} held (they go when the hold ends)`);
  if (t.waiting > 0) parts.push(`${t.waiting.toLocaleString('en')} waiting`);
  if (t.skipped > 0) parts.push(`${t.skipped.toLocaleString('en')} not sent (see the log for why)`);
  if (t.failed > 0) parts.push(`${t.failed.toLocaleString('en')} failed`);
  return `${parts.join(', ')}.`;
}

/** Switching on or Run now: everyone already in the state (and occasions whose wait is over). */
export function armAutomation(ctx: EngineContext, a: Automation): RunResult {
  const now = ctx.clock.now().getTime();
  const t = tally();
  markRun(ctx.db, a.id, now, true);
  fireInBatches(ctx, statePending(ctx, a, now, true), t);
  resumeDue(ctx, now, a.id, t);
  return { automationId: a.id, ...t, summary: words(t) };
}

export function runAutomation(ctx: EngineContext, id: number): RunResult {
  return armAutomation(ctx, loadAutomation(ctx, id));
}

const SCORE_TRIGGERS = new Set(['churn_risk', 'segment_entered', 'purchase_overdue', 'no_purchase']);

/** New scores: every enabled state automation's crossings (not arming: time-based ones only after they were armed). */
export function onPredictionsUpdated(ctx: EngineContext): Tally {
  const now = ctx.clock.now().getTime();
  const t = tally();
  // Scores move churn risk, segments and expected dates; a lifetime value moves with purchases (a live one fires it),
  // so an imported history followed by a retrain does not thank every big spender of the past.
  const pending = enabledAutomations(ctx)
    .filter((a) => SCORE_TRIGGERS.has(a.trigger.type))
    .flatMap((a) => statePending(ctx, a, now, false));
  fireInBatches(ctx, pending, t);
  return t;
}

/** The scheduler: waits that are over, and time-based crossings since the automations were armed. */
export function evaluateTimeBased(ctx: EngineContext): Tally {
  const now = ctx.clock.now().getTime();
  const t = resumeDue(ctx, now);
  const pending = enabledAutomations(ctx)
    .filter((a) => a.trigger.type === 'no_purchase' || a.trigger.type === 'purchase_overdue')
    .flatMap((a) => statePending(ctx, a, now, false));
  fireInBatches(ctx, pending, t);
  return t;
}

export interface LiveEvent {
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
      if (event.type === 'purchase' && t.type === 'first_purchase' && facts.totalOrders === 1)
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
  if (pending.length > 0) fireAll(ctx, pending, true);
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
  if (lastPurchaseAt !== null && lastPurchaseAt >= event.occurredAt) return;
  const resumeAt = event.occurredAt + a.trigger.afterHours * HOUR_MS;
  const key = `${event.profileId}:cart:${lastPurchaseAt ?? 0}`;
  const id = openCartRow(ctx, a, event.profileId, key, event.occurredAt, resumeAt, now);
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
