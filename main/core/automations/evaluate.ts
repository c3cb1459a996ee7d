/**
 * When automations are evaluated, and for whom. Only live events fire them (the event API, webhooks, the checkout
 * sweep, the scheduler); an imported history never does. Live events are live.ts's; here:
 * - New scores (`predictions.updated`): churn-risk and segment crossings — a previous score below the threshold (or
 *   another segment) and a new one above it; a first score is not a crossing. Noted in the stream's transaction,
 *   evaluated after it in batches (`sweepPending`), finished after a crash.
 * - The scheduler (every 5 minutes): occasions whose wait is over, and the time-based triggers (no purchase for N
 *   days, next purchase overdue) for crossings dated since the last sweep (`sweptAt`).
 * - Switching on and Run now (`armAutomation`): everyone already in the state, then only new crossings.
 *
 * State occasions: churn risk and segment keep one open occasion per customer (`<id>:churn:open`) while they stay in
 * the state; leaving it closes the occasion, so the next crossing is a new one. The others carry what tells them
 * apart in the key: the cart (the last purchase before it), the product, the milestone, the lapse's last purchase,
 * the purchase an overdue date follows. Several automations meeting customers at once go in priority order, then
 * the larger value at stake (churn risk × predicted value), so the frequency cap keeps the messages that matter most.
 */
import type { RunResult } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
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
  armDone,
  armStart,
  automationRows,
  boughtSince,
  cartProductsSince,
  closeStateOccasion,
  dueExecutions,
  insertDecision,
  markScoresPending,
  markSwept,
  occasionExists,
  openStateOccasions,
  purchaseFacts,
  scoresDone,
  setExecution,
} from '../db/repos/automations';
import { forgetNumbered, withSteadyReads } from '../db/steady-reads';
import { highIntentProducts, intentForAll } from '../ml/intent';
import { readSettings } from '../settings/settings-store';
import { normalizeOptions } from '../settings/shop-settings';
import { openBatch } from './batch';
import type { Automation, Firing } from './definition';
import { type FireOptions, fireOccasion, type Occasion, type Outcome, resumeOccasion } from './fire';
import { prefetchCustomers } from './prefetch';
import { automationSigningKey } from './signing';
import { enabledAutomations, loadAutomation } from './store';
import { count, type Tally, tally, withoutHandled, words } from './tally';

/**
 * A sweep's transaction: up to SWEEP_BATCH customers, or SWEEP_MS of work, whichever comes first; others (webhooks,
 * pages) get the write lock and the event loop between two. Fewer, larger commits write each touched index page once
 * for many customers (500 a commit spent 10 of a full evaluation's 35 s committing; 2,000 spend 4).
 */
export const SWEEP_BATCH = 2_000;
const SWEEP_MS = 150;
const CHUNK = 100;
/** Waiting occasions resumed per transaction. */
const BATCH = 500;

export interface Pending {
  automation: Firing;
  occasion: Occasion;
  stake: number;
}

export function fireOptions(ctx: EngineContext, a: Firing): FireOptions {
  return {
    where: whereOf(ctx, a),
    signingKey: () => automationSigningKey(ctx),
  };
}

const whereCache = new WeakMap<Firing, Where>();
function whereOf(ctx: EngineContext, a: Firing): Where {
  let where = whereCache.get(a);
  if (!where) {
    where = conditionsWhere(a.conditions, normalizeOptions(ctx).defaultCountry);
    whereCache.set(a, where);
  }
  return where;
}

/**
 * The order several occasions are met in: higher priority first. Then, under a daily limit (the first messages of
 * the day go, the rest wait for tomorrow), the larger value at stake first; without one every message is written
 * now, in customer order, which keeps each commit of a sweep to neighbouring pages of the indexes (a full
 * evaluation 14 → 11 s).
 */
function inOrder(ctx: EngineContext, pending: Pending[]): Pending[] {
  const capped = Object.values(readSettings(ctx.db).dailyCaps).some((cap) => cap !== null && cap !== undefined);
  return pending.sort(
    (x, y) =>
      x.automation.priority - y.automation.priority ||
      (capped ? y.stake - x.stake : 0) ||
      x.occasion.profileId - y.occasion.profileId ||
      x.automation.id - y.automation.id,
  );
}

/** Fires each pending occasion in order (`inOrder`); inside the caller's transaction. */
export function fireAll(ctx: EngineContext, pending: Pending[], t: Tally = tally()): Tally {
  // In one transaction that writes no settings, consent or templates: each is read once for the batch.
  return withSteadyReads(() => fireEach(ctx, inOrder(ctx, pending), t));
}

function fireEach(ctx: EngineContext, pending: Pending[], t: Tally): Tally {
  prefetchCustomers(
    ctx.db,
    pending.map((p) => p.occasion.profileId),
  );
  // The guards' reads for the whole chunk (batch.ts); steady only inside a transaction, which every caller holds.
  const batch = ctx.db.sqlite.inTransaction
    ? openBatch(
        ctx,
        pending.map((p) => ({ automationId: p.automation.id, profileId: p.occasion.profileId })),
      )
    : undefined;
  const options = new Map<number, FireOptions>();
  for (const p of pending) {
    let o = options.get(p.automation.id);
    if (!o) {
      o = { ...fireOptions(ctx, p.automation), batch };
      options.set(p.automation.id, o);
    }
    count(t, fireOccasion(ctx, p.automation, p.occasion, o));
  }
  return t;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The same, letting the event loop turn between batches so webhooks and pages are answered while thousands of
 * customers are evaluated (a retrain's crossings). Stops quietly if the data file was closed.
 */
export { type Tally, tally } from './tally';

export async function fireInTurns(
  ctx: EngineContext,
  pending: Pending[],
  t: Tally,
  stillOn: () => Map<number, number> = () =>
    new Map(automationRows(ctx.db, ctx.brandId, true).map((r) => [r.id, r.updatedAt])),
): Promise<boolean> {
  inOrder(ctx, pending);
  let i = 0;
  while (i < pending.length) {
    if (!ctx.db.sqlite.open) return false;
    // Switched off or edited while the event loop turned: what is left of its sweep is not done (a new one is).
    // `stillOn` gives the id and updatedAt of each automation whose occasions may still go.
    const live = stillOn();
    ctx.db.sqlite
      .transaction(() =>
        withSteadyReads(() => {
          const started = performance.now();
          const end = Math.min(pending.length, i + SWEEP_BATCH);
          while (i < end && performance.now() - started < SWEEP_MS) {
            const chunk = pending
              .slice(i, Math.min(end, i + CHUNK))
              .filter((p) => live.get(p.automation.id) === p.automation.updatedAt);
            i += Math.min(end - i, CHUNK);
            fireEach(ctx, chunk, t);
            forgetNumbered();
          }
        }),
      )
      .immediate();
    await nextTurn();
  }
  return ctx.db.sqlite.open;
}

// ---- state triggers: who is in the state now ----

interface StateSweep {
  candidates: Candidate[];
  /** The occasion key for a candidate. */
  key(c: Candidate): string;
  /** Open state occasions close when the customer is no longer in the state. */
  openState?: string;
  /** Everyone in the state now (state occasions only). */
  inNow?: Set<number>;
  /** Time-based: only crossings dated after the last sweep (unless arming now). */
  timeBased?: boolean;
}

/**
 * Who is in the trigger's state. Not arming, churn risk and segments keep only crossings: customers whose score
 * before this retrain was below the threshold or in another segment (a first score, say after an import, is not a
 * crossing); arming takes everyone in the state. The conditions go in the same query: a customer in the state who
 * does not meet them is left alone (no occasion spent, nothing written), so a sweep over 100,000 customers touches
 * only those it may act for.
 */
function stateSweep(ctx: EngineContext, a: Automation, now: number, arming: boolean): StateSweep | undefined {
  const state = triggerState(a.trigger, now);
  if (!state) return undefined;
  const t = a.trigger;
  const conditions = whereOf(ctx, a);
  if (t.type === 'churn_risk' || t.type === 'segment_entered') {
    // One pass over everyone in the state: who left it closes their occasion, who crossed and meets the conditions
    // is a candidate.
    const crossing = arming
      ? { sql: '1', params: [] }
      : t.type === 'churn_risk'
        ? { sql: 'pr.prev_churn_score < ?', params: [t.atLeast / 100] }
        : { sql: 'pr.prev_segment IS NOT NULL AND pr.prev_segment <> pr.segment', params: [] };
    const everyone = inState(ctx.db, ctx.brandId, state, state, {
      sql: `(${crossing.sql}) AND (${conditions.sql})`,
      params: [...crossing.params, ...conditions.params],
    });
    const openState = t.type === 'churn_risk' ? 'churn' : 'segment';
    return {
      candidates: everyone.filter((c) => c.pick === 1),
      inNow: new Set(everyone.map((c) => c.profileId)),
      key: (c) => `${c.profileId}:${openState}:open`,
      openState,
    };
  }
  const candidates = inState(
    ctx.db,
    ctx.brandId,
    { sql: `${state.sql} AND (${conditions.sql})`, params: [...state.params, ...conditions.params] },
    state,
  );
  switch (t.type) {
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
  const { openState, inNow } = sweep;
  if (!openState || !inNow) return;
  const left = openStateOccasions(ctx.db, a.id, openState).filter((o) => !inNow.has(o.profileId));
  if (left.length === 0) return;
  ctx.db.sqlite
    .transaction(() => {
      for (const o of left) closeStateOccasion(ctx.db, o.id);
    })
    .immediate();
}

/**
 * The pending occasions of one automation's state sweep. Arming: everyone in the state, whenever they crossed.
 * Otherwise time-based crossings dated after the last sweep only (`sweptAt`): a lapse dated before it is late news
 * (an imported history), not a customer who just lapsed.
 */
function statePending(ctx: EngineContext, a: Automation, now: number, arming: boolean): Pending[] {
  const sweep = stateSweep(ctx, a, now, arming);
  if (!sweep) return a.trigger.type === 'product_intent' ? intentPending(ctx, a, now) : [];
  closeLeft(ctx, a, sweep);
  const since = a.sweptAt ?? a.armedAt ?? now;
  return sweep.candidates
    .filter((c) => arming || !sweep.timeBased || (c.at !== null && c.at > since && c.at <= now))
    .map((c) => ({
      automation: a,
      occasion: { profileId: c.profileId, key: sweep.key(c), occurredAt: c.at ?? now, conditionsMet: true },
      stake: c.stake,
    }));
}

/** Interest in a product at or above the threshold, once per product, leaving out what is in their cart. */
export function intentPending(ctx: EngineContext, a: Automation, now: number, onlyProfile?: number): Pending[] {
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
      const key = `${profileId}:intent:${intent.product}`;
      // A product already handled leaves the way to the next one.
      if (occasionExists(ctx.db, a.id, key)) continue;
      out.push({
        automation: a,
        occasion: { profileId, key, occurredAt: intent.lastSignalAt },
        stake,
      });
      // One product per evaluation: the strongest; the next is its own occasion another time (cooldown between).
      break;
    }
  }
  return out;
}

// ---- waiting occasions ----

/**
 * One waiting occasion of an automation that is on, whose time came: a cart whose customer bought since is cancelled
 * (the reminder is not needed); any other goes on from its next action. The scheduler and the dry run both use it.
 */
export function resumeWaiting(
  ctx: EngineContext,
  a: Automation,
  e: { id: number; profileId: number; step: number; occurredAt: number | null },
  now: number,
): Outcome {
  if (a.trigger.type === 'abandoned_cart' && e.step === 0 && boughtSince(ctx.db, e.profileId, e.occurredAt ?? 0)) {
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
    return 'cancelled';
  }
  return resumeOccasion(ctx, a, { id: e.id, profileId: e.profileId, step: e.step }, fireOptions(ctx, a));
}

function resumeDue(ctx: EngineContext, now: number, only?: number, t: Tally = tally()): Tally {
  for (;;) {
    const due = dueExecutions(ctx.db, ctx.brandId, now, BATCH, only);
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
            // Switching off cancels what waits (store.ts); this is what a crash left in between.
            setExecution(ctx.db, e.id, { status: 'cancelled', detail: 'off' }, now);
            continue;
          }
          count(t, resumeWaiting(ctx, a, { ...e, profileId: e.profileId }, now));
        }
      })
      .immediate();
    if (due.length < BATCH) return t;
  }
}

/** An arming under way, per automation: the definition it runs (its updatedAt) and its answer. */
interface Arming {
  updatedAt: number;
  run: Promise<RunResult>;
}
const arming = new WeakMap<EngineContext, Map<number, Arming>>();

/**
 * Switching on or Run now: everyone already in the state (and occasions whose wait is over). Marked pending first
 * and done at the end, so a crash part-way is finished at the next start or tick (occasions make it safe to repeat).
 */
export function armAutomation(ctx: EngineContext, a: Automation): Promise<RunResult> {
  const running = arming.get(ctx) ?? new Map<number, Arming>();
  arming.set(ctx, running);
  // Asked again while it runs (Run now twice, the tick finishing what is pending): the answer of the running one.
  const current = running.get(a.id);
  if (current && current.updatedAt === a.updatedAt) return current.run;
  // Edited or switched off and on since: after the running one (which stops at its next batch), this one.
  const run = (current ? current.run.catch(() => undefined) : Promise.resolve()).then(() => armNow(ctx, a));
  const entry = { updatedAt: a.updatedAt, run };
  running.set(a.id, entry);
  const forget = () => {
    if (running.get(a.id) === entry) running.delete(a.id);
  };
  run.then(forget, forget);
  return run;
}

async function armNow(ctx: EngineContext, a: Automation): Promise<RunResult> {
  const now = ctx.clock.now().getTime();
  const t = tally();
  armStart(ctx.db, a.id, now);
  // In batches with the event loop turning between them: webhooks and pages are answered while it runs.
  const finished = await fireInTurns(ctx, statePending(ctx, { ...a, armedAt: now }, now, true), t);
  if (!finished) return { automationId: a.id, ...withoutHandled(t), summary: words(t) };
  resumeDue(ctx, now, a.id, t);
  armDone(ctx.db, a.id);
  return { automationId: a.id, ...withoutHandled(t), summary: words(t) };
}

/** Run now: only an automation that is on (pressing it "to see" must not send from one the shop left off). */
export function runAutomation(ctx: EngineContext, id: number): Promise<RunResult> {
  const a = loadAutomation(ctx, id);
  if (!a.enabled)
    throw new AppError(
      'conflict',
      `“${a.name}” is off, so Run now would not send anything. Switch it on first: that handles everyone already in its state.`,
    );
  return armAutomation(ctx, a);
}

/** Triggers new scores move: churn risk and segments (a lifetime value moves with purchases: a live one fires it). */
export const SCORE_TRIGGERS = ['churn_risk', 'segment_entered'] as const;

/** New scores (in the stream's transaction): the automations they concern have crossings to look at. */
export function noteNewScores(ctx: EngineContext): number {
  return markScoresPending(ctx.db, ctx.brandId, SCORE_TRIGGERS);
}

const sweeping = new WeakMap<EngineContext, Promise<Tally>>();

/**
 * What is pending: automations switched on or run whose arming a crash cut short, and new scores' crossings, in
 * batches with the event loop turning between them. One at a time per backend; asked again while it runs, it answers
 * the running one.
 */
export function sweepPending(ctx: EngineContext): Promise<Tally> {
  const running = sweeping.get(ctx);
  if (running) return running;
  const run = (async () => {
    // One turn first, so `sweeping` holds this run before its `finally` can clear it.
    await null;
    const t = tally();
    try {
      // Until nothing is pending: new scores noted while a sweep ran are looked at by the same sweep.
      while (ctx.db.sqlite.open) {
        const enabled = enabledAutomations(ctx);
        const arms = enabled.filter((x) => x.armPending);
        const concerned = enabled.filter((x) => x.scoresPending);
        if (arms.length === 0 && concerned.length === 0) break;
        for (const a of arms) await armAutomation(ctx, a);
        const now = ctx.clock.now().getTime();
        const pending = concerned.flatMap((a) => statePending(ctx, a, now, false));
        if (!(await fireInTurns(ctx, pending, t))) break;
        scoresDone(
          ctx.db,
          concerned.map((a) => a.id),
        );
      }
      return t;
    } finally {
      sweeping.delete(ctx);
    }
  })();
  sweeping.set(ctx, run);
  return run;
}

/** The scheduler: waits that are over, and time-based crossings dated since the last sweep. */
export async function evaluateTimeBased(ctx: EngineContext): Promise<Tally> {
  const now = ctx.clock.now().getTime();
  const t = resumeDue(ctx, now);
  const timed = enabledAutomations(ctx).filter(
    (a) => !a.armPending && (a.trigger.type === 'no_purchase' || a.trigger.type === 'purchase_overdue'),
  );
  if (
    !(await fireInTurns(
      ctx,
      timed.flatMap((a) => statePending(ctx, a, now, false)),
      t,
    ))
  )
    return t;
  for (const a of timed) markSwept(ctx.db, a.id, now);
  return t;
}
