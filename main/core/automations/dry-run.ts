/**
 * "What would this have done?": one automation replayed over the last 90 days of live events, through the engine's
 * own code (live.ts's `onLiveEvents`, fire.ts's guards and actions, evaluate.ts's `fireAll`), with nothing sent or
 * recorded. Why this shape, and not a model of the engine written again: the dry run's counts must equal what the
 * automation decides when it is on, and only the same code keeps them equal as guards are added (a holdout's
 * `held_out` decision is counted here without this file knowing it).
 *
 * How: ONE write transaction on the app's connection that is always rolled back (a private error thrown inside
 * `transaction(...)`), everything in it synchronous (an `await` would let webhooks' writes run inside it and be rolled
 * back with it). Inside, the file is put back as it stood 90 days ago, then moved forward:
 * - the live events of the period (not received at an import's start: every row of an import is stamped with its
 *   job's start, so a file's history is told from webhooks and API calls without a column for it) are taken out and
 *   each is put back at the time it was received, the customer's totals worked out again — so "first purchase", the
 *   cart's "bought since" and the lifetime value read what was known then, not what happened later;
 * - messages written in the period (by other automations, by hand) count again from the time they were written (they
 *   are marked cancelled until then), so the frequency cap sees what it would have seen;
 * - this automation's own occasions, decisions and messages of the period go (it is replayed from scratch); every
 *   other automation is off (it is not what is being tried; what it really sent is in the outbox);
 * - the clock (a derived EngineContext) moves to each event's time and, between events, to the scheduler's ticks
 *   (every 5 minutes, on the 5) where something of this automation is due: a cart reminder's delay, a wait;
 * - a would-be message counts as sent when the worker would have sent it (its `next_attempt_at`), so a purchase after
 *   it does not cancel it, as live;
 * - state triggers (churn risk, segment, lifetime value, no purchase for N days, purchase overdue) and product
 *   interest use today's scores: one sweep at now, as switching on does.
 * The derived context has its own services (its outbox worker and URL sender are never started, so nothing is kicked),
 * its own change bus, and a secret store that keeps a new signing key in memory only. The decisions and message rows
 * written inside are read before the rollback (dry-run-report.ts words them).
 *
 * The scheduler's `resumeDue` and the arming's state sweep are followed here for this one automation rather than
 * called: evaluate.ts runs them in transactions of their own with turns of the event loop between batches, which a
 * rolled-back transaction cannot hold.
 *
 * Limits: conditions, consent and scores are today's; an event's customer is today's (after merges); events are
 * replayed in the order they were stored, at the time they were received. Cost: the main thread is held for the whole
 * replay — measured here (each event stored at its own time, an abandoned-cart automation): 2,000 customers with
 * 10,000 live events in 90 days, 1.2–1.4 s; 20,000 customers with 100,000, 13–19 s, too long for a shop whose
 * webhooks wait meanwhile: a shop that size wants the replay on a copy of the file in a worker thread.
 */
import { AppError } from '../../../shared/contract/errors';
import type { Clock } from '../clock';
import { createChangeBus, type EngineContext } from '../context';
import { conditionsWhere, inState, triggerState } from '../db/repos/automation-candidates';
import { dueExecutions, setExecution } from '../db/repos/automations';
import { recomputeTotals } from '../db/repos/profile-totals';
import type { SecretStore } from '../secrets/secret-store';
import { normalizeOptions } from '../settings/shop-settings';
import { type Automation, DAY_MS } from './definition';
import { fireAll, intentPending, type Pending, resumeWaiting } from './evaluate';
import { type LiveEvent, onLiveEvents } from './live';
import { loadAutomation } from './store';

export const DRY_RUN_DAYS = 90;
/** The scheduler's tick (`automations.timeBased`, cron every 5 minutes). */
export const TICK_MS = 5 * 60_000;
const BATCH = 500;

export interface ReplayDecision {
  id: number;
  profileId: number | null;
  outcome: string;
  guard: string | null;
  reason: string;
  outboxId: number | null;
  createdAt: number;
}

export interface ReplayMessage {
  id: number;
  channel: 'email' | 'sms' | 'whatsapp';
  profileId: number | null;
  cost: number | null;
  currency: string | null;
  /** As the replay left it: sent (the worker would have sent it), cancelled (a purchase came first), held, pending. */
  status: string;
  statusReason: string | null;
  createdAt: number;
}

export interface Replay {
  automation: Automation;
  from: number;
  to: number;
  eventsReplayed: number;
  decisions: ReplayDecision[];
  messages: ReplayMessage[];
  tagged: number;
  urlCalls: number;
  stillWaiting: number;
  tookMs: number;
}

class RolledBack extends Error {
  constructor(readonly replay: Omit<Replay, 'tookMs'>) {
    super('dry run rolled back');
  }
}

/** A clock the replay moves (never backwards). */
function movableClock(start: number): Clock & { set(ms: number): void; ms(): number } {
  let at = start;
  return {
    now: () => new Date(at),
    set(ms) {
      at = Math.max(at, ms);
    },
    ms: () => at,
  };
}

/** Secrets read through; a key made during the dry run is kept in memory only (nothing about it is stored). */
function readOnlySecrets(secrets: SecretStore): SecretStore {
  const made = new Map<string, string>();
  return new Proxy(secrets, {
    get(target, prop, receiver) {
      if (prop === 'get') return (name: string) => made.get(name) ?? target.get(name);
      if (prop === 'set')
        return (name: string, value: string) => {
          made.set(name, value);
        };
      if (prop === 'delete')
        return (name: string) => {
          made.delete(name);
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface EventRow {
  id: number;
  customer_profile_id: number | null;
  event_type: string;
  occurred_at: number;
  received_at: number;
  [column: string]: unknown;
}

const MONEY_EVENTS = new Set(['purchase', 'refund', 'cancellation']);

/** Replays the automation `id` over the last DRY_RUN_DAYS days; the data file is left exactly as it was. */
export function replayAutomation(ctx: EngineContext, id: number, days = DRY_RUN_DAYS): Replay {
  const started = performance.now();
  const sqlite = ctx.db.sqlite;
  loadAutomation(ctx, id); // not found → the shop's sentence
  const to = ctx.clock.now().getTime();
  const from = to - days * DAY_MS;
  try {
    sqlite
      .transaction(() => {
        throw new RolledBack(replayInside(ctx, id, from, to));
      })
      .immediate();
  } catch (error) {
    if (error instanceof RolledBack) return { ...error.replay, tookMs: performance.now() - started };
    throw error;
  }
  throw new AppError('internal', 'The dry run ended without an answer.');
}

function replayInside(ctx: EngineContext, id: number, from: number, to: number): Omit<Replay, 'tookMs'> {
  const db = ctx.db;
  const q = (sql: string) => db.sqlite.prepare(sql);
  const clock = movableClock(from);
  const rctx: EngineContext = Object.freeze({
    ...ctx,
    clock: clock as Clock,
    bus: createChangeBus(ctx.logger),
    secrets: readOnlySecrets(ctx.secrets),
  });

  // This automation alone, on since `from`, with its own occasions of the period gone (it is replayed from scratch).
  q(
    `UPDATE marketing_automation SET enabled = (id = ?), armed_at = CASE WHEN id = ? THEN ? ELSE armed_at END,
       arm_pending = 0, scores_pending = 0, swept_at = CASE WHEN id = ? THEN ? ELSE swept_at END WHERE brand_id = ?`,
  ).run(id, id, from, id, from, ctx.brandId);
  const own = `SELECT id FROM automation_execution WHERE automation_id = ${Number(id)} AND created_at >= ?`;
  q(`DELETE FROM message_outbox WHERE execution_id IN (${own})`).run(from);
  q(`DELETE FROM automation_call WHERE execution_id IN (${own})`).run(from);
  q('DELETE FROM automation_decision WHERE automation_id = ? AND created_at >= ?').run(id, from);
  q('DELETE FROM automation_execution WHERE automation_id = ? AND created_at >= ?').run(id, from);
  const a = loadAutomation(rctx, id);

  // Messages of the period count from when they were written.
  const laterMessages = q(
    `SELECT id, status, created_at AS createdAt FROM message_outbox WHERE brand_id = ? AND created_at > ? ORDER BY created_at, id`,
  ).all(ctx.brandId, from) as { id: number; status: string; createdAt: number }[];
  q(`UPDATE message_outbox SET status = 'cancelled' WHERE brand_id = ? AND created_at > ?`).run(ctx.brandId, from);
  const restoreStatus = q('UPDATE message_outbox SET status = ? WHERE id = ?');
  let nextMessage = 0;

  // The period's live events leave, to come back one by one.
  const events = q(
    `SELECT * FROM customer_raw_event e WHERE e.brand_id = ? AND e.received_at >= ? AND e.received_at <= ?
       AND NOT EXISTS (SELECT 1 FROM import_job j WHERE j.brand_id = e.brand_id AND j.started_at = e.received_at)
     ORDER BY e.id`,
  ).all(ctx.brandId, from, to) as EventRow[];
  const remove = q('DELETE FROM customer_raw_event WHERE id = ?');
  for (const e of events) remove.run(e.id);
  // A shop with no live event in the period (only imported history) has nothing to put back: no statement to make.
  const columns = events[0] ? Object.keys(events[0]) : [];
  const putBack =
    columns.length > 0
      ? q(`INSERT INTO customer_raw_event (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
      : null;
  const moneyProfiles = new Set<number>();
  for (const e of events)
    if (e.customer_profile_id !== null && MONEY_EVENTS.has(e.event_type)) moneyProfiles.add(e.customer_profile_id);
  for (const p of moneyProfiles) recomputeTotals(db, p, from);

  // Everything written from here on is the replay's.
  const maxOf = (table: string) => (q(`SELECT coalesce(max(id), 0) FROM ${table}`).pluck().get() as number) ?? 0;
  const firstDecision = maxOf('automation_decision');
  const firstMessage = maxOf('message_outbox');
  const firstCall = maxOf('automation_call');
  const tagsBefore = q('SELECT count(*) FROM profile_tag').pluck().get() as number;

  const wouldHaveGone = q(
    `UPDATE message_outbox SET status = 'sent', sending_at = next_attempt_at, updated_at = next_attempt_at
     WHERE id > ? AND status IN ('pending', 'held') AND next_attempt_at <= ?`,
  );
  // Walks the waiting occasions' partial index in time order (`+automation_id` keeps the planner off the automation's
  // own index, which would read every occasion it ever had: 170 µs a call, 1.9 of 3.8 s at 2,000 customers); asked
  // again only after something that may open or end a wait.
  const nextDueQuery = q(
    `SELECT resume_at FROM automation_execution WHERE status = 'waiting' AND resume_at IS NOT NULL AND +automation_id = ?
     ORDER BY resume_at LIMIT 1`,
  ).pluck();
  let due: number | null | undefined;
  const nextDue = (): number | null => {
    if (due === undefined) due = (nextDueQuery.get(a.id) as number | undefined) ?? null;
    return due;
  };

  /** The clock to `at`: the other messages written by then count, this automation's due by then have gone. */
  const moveTo = (at: number) => {
    clock.set(at);
    while (nextMessage < laterMessages.length && (laterMessages[nextMessage]?.createdAt ?? Infinity) <= at) {
      const m = laterMessages[nextMessage++] as { id: number; status: string };
      restoreStatus.run(m.status, m.id);
    }
    wouldHaveGone.run(firstMessage, at);
  };
  /** The scheduler's ticks up to `until` at which something of this automation is due. */
  const tickUntil = (until: number) => {
    for (;;) {
      const at = nextDue();
      if (at === null) return;
      const tick = Math.max(Math.ceil(at / TICK_MS) * TICK_MS, clock.ms());
      if (tick > until) return;
      moveTo(tick);
      resumeDue(rctx, a, tick);
      due = undefined;
    }
  };

  // Events received in the same instant were stored in one transaction (a webhook batch, an API call of several):
  // the live subscriber met them together, after all of them were stored. So are they here.
  for (let i = 0; i < events.length; ) {
    const at = (events[i] as EventRow).received_at;
    let end = i;
    while (end < events.length && (events[end] as EventRow).received_at === at) end += 1;
    const group = events.slice(i, end);
    i = end;
    tickUntil(at);
    moveTo(at);
    for (const e of group) putBack?.run(e);
    const live: LiveEvent[] = [];
    const recomputed = new Set<number>();
    for (const e of group) {
      const profileId = e.customer_profile_id;
      if (profileId === null) continue;
      if (MONEY_EVENTS.has(e.event_type) && !recomputed.has(profileId)) {
        recomputeTotals(db, profileId, at);
        recomputed.add(profileId);
      }
      live.push({ eventId: e.id, profileId, type: e.event_type, occurredAt: e.occurred_at });
    }
    if (live.length > 0) onLiveEvents(rctx, live);
    due = undefined;
  }
  tickUntil(to);
  moveTo(to);
  // Today's scores: who switching it on now would meet in its state (as `armAutomation` does).
  fireAll(rctx, statePendingNow(rctx, a, to));
  moveTo(to);

  const decisions = q(
    `SELECT id, profile_id AS profileId, outcome, guard, reason, outbox_id AS outboxId, created_at AS createdAt
     FROM automation_decision WHERE id > ? AND automation_id = ? ORDER BY id`,
  ).all(firstDecision, id) as ReplayDecision[];
  const messages = q(
    `SELECT o.id, o.channel, o.profile_id AS profileId, o.cost, o.currency, o.status, o.status_reason AS statusReason,
       o.created_at AS createdAt
     FROM message_outbox o JOIN automation_execution x ON x.id = o.execution_id
     WHERE o.id > ? AND x.automation_id = ? ORDER BY o.id`,
  ).all(firstMessage, id) as ReplayMessage[];
  return {
    automation: a,
    from,
    to,
    eventsReplayed: events.length,
    decisions,
    messages,
    tagged: Math.max(0, (q('SELECT count(*) FROM profile_tag').pluck().get() as number) - tagsBefore),
    urlCalls: q('SELECT count(*) FROM automation_call WHERE id > ?').pluck().get(firstCall) as number,
    stillWaiting: q(`SELECT count(*) FROM automation_execution WHERE automation_id = ? AND status = 'waiting'`)
      .pluck()
      .get(id) as number,
  };
}

/**
 * Waiting occasions of this automation that are due, as the scheduler's `resumeDue` (evaluate.ts) meets them: a cart
 * whose customer bought since is cancelled; the others go on from their next action.
 */
function resumeDue(ctx: EngineContext, a: Automation, now: number): void {
  for (;;) {
    const due = dueExecutions(ctx.db, ctx.brandId, now, BATCH, a.id);
    for (const e of due) {
      if (e.profileId === null) {
        setExecution(ctx.db, e.id, { status: 'cancelled', detail: 'off' }, now);
        continue;
      }
      resumeWaiting(ctx, a, { ...e, profileId: e.profileId }, now);
    }
    if (due.length < BATCH) return;
  }
}

/** Everyone in the trigger's state now who meets the conditions (switching on's sweep); product interest likewise. */
function statePendingNow(ctx: EngineContext, a: Automation, now: number): Pending[] {
  const t = a.trigger;
  if (t.type === 'product_intent') return intentPending(ctx, a, now);
  const state = triggerState(t, now);
  if (!state) return [];
  const where = conditionsWhere(a.conditions, normalizeOptions(ctx).defaultCountry);
  const key = (c: { profileId: number; mark: number | string | null }): string => {
    switch (t.type) {
      case 'churn_risk':
        return `${c.profileId}:churn:open`;
      case 'segment_entered':
        return `${c.profileId}:segment:open`;
      case 'ltv_milestone':
        return `${c.profileId}:ltv:${t.amount}`;
      case 'no_purchase':
        return `${c.profileId}:lapse:${c.mark}`;
      default:
        return `${c.profileId}:overdue:${c.mark}`;
    }
  };
  return inState(
    ctx.db,
    ctx.brandId,
    { sql: `${state.sql} AND (${where.sql})`, params: [...state.params, ...where.params] },
    state,
  ).map((c) => ({
    automation: a,
    occasion: { profileId: c.profileId, key: key(c), occurredAt: c.at ?? now, conditionsMet: true },
    stake: c.stake,
  }));
}
