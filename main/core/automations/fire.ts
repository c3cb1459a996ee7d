/**
 * One automation meeting one customer on one occasion: the guards in the order the shop reads them, then the actions,
 * every outcome a decision with its reason in words. Runs inside the caller's transaction (a stream subscriber's, or
 * a batch of Run now), so the occasion, the decision and the message are one fact: a crash before the commit leaves
 * none of them, and the next evaluation does it once.
 *
 * Guards, in order: the occasion already handled (the ledger's unique key); the conditions; the cooldown (this
 * automation fired for this customer within `cooldownDays`); then, for each message, the shop-wide frequency cap
 * (FREQUENCY_CAP marketing messages from automations per customer in 7 days); consent on the channel; and the
 * outbox's own guards as it writes the row — sending paused or the daily cap (held), quiet hours (held until 08:00
 * their time, never dropped).
 */
import { createHmac } from 'node:crypto';
import type { AutomationAction } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import { composeMessage } from '../channels/compose';
import { CHANNEL_WORDS, mayMarket } from '../channels/consent';
import { enqueueMessage } from '../channels/outbox';
import { listTemplates, templateById } from '../channels/template-store';
import type { ChannelName } from '../channels/types';
import type { EngineContext } from '../context';
import type { ArmDraw } from '../db/repos/automation-arms';
import { insertCall } from '../db/repos/automation-calls';
import type { Where } from '../db/repos/automation-candidates';
import { profileMatches } from '../db/repos/automation-candidates';
import {
  addTag,
  automatedMessagesSince,
  insertDecision,
  lastFiredAt,
  openOccasion,
  removeTag,
  setExecution,
} from '../db/repos/automations';
import type { Batch } from './batch';
import { DAY_MS, type Firing, HOUR_MS } from './definition';
import { drawArm } from './holdout';

/** At most this many marketing messages from automations per customer in FREQUENCY_DAYS (all automations together). */
export const FREQUENCY_CAP = 2;
export const FREQUENCY_DAYS = 7;

export type Outcome = 'fired' | 'skipped' | 'waiting' | 'held' | 'failed' | 'cancelled' | 'held_out' | 'handled';

export interface Occasion {
  profileId: number;
  /** Unique per automation: `<profile id>:<what>` (cart:…, ltv:500, churn:open…). */
  key: string;
  occurredAt: number;
  /** The sweep's query already held the customer to the conditions. */
  conditionsMet?: boolean;
}

export interface FireOptions {
  /** The conditions as SQL (evaluate.ts builds it once per automation). */
  where: Where;
  /** A secret to sign URL calls with. */
  signingKey: () => string;
  /** The chunk of a sweep the occasion is met in (evaluate.ts `fireEach`): the guards' reads done for all of it. */
  batch?: Batch | undefined;
}

const day = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

function decide(
  ctx: EngineContext,
  a: Firing,
  profileId: number,
  executionId: number | null,
  outcome: Exclude<Outcome, 'handled'>,
  guard: string | null,
  reason: string,
  outboxId: number | null = null,
): void {
  insertDecision(
    ctx.db,
    ctx.brandId,
    { automationId: a.id, profileId, executionId, outcome, guard, reason, outboxId },
    ctx.clock.now().getTime(),
  );
}

/** Opens the occasion and runs the guards before the actions; then the actions from the first. */
export function fireOccasion(ctx: EngineContext, a: Firing, occasion: Occasion, options: FireOptions): Outcome {
  const now = ctx.clock.now().getTime();
  const { profileId } = occasion;
  const executionId = openOccasion(
    ctx.db,
    ctx.brandId,
    { automationId: a.id, profileId, key: occasion.key, occurredAt: occasion.occurredAt, status: 'open' },
    now,
  );
  // Already handled: nothing new to say (a decision per product view would bury the one that sent the message).
  if (executionId === undefined) return 'handled';
  if (!occasion.conditionsMet && !profileMatches(ctx.db, profileId, options.where)) {
    setExecution(ctx.db, executionId, { status: 'skipped', detail: 'conditions' }, now);
    decide(
      ctx,
      a,
      profileId,
      executionId,
      'skipped',
      'conditions',
      "Not sent: they do not meet this automation's conditions.",
    );
    return 'skipped';
  }
  if (coolingDown(ctx, a, executionId, profileId, options.batch)) return 'skipped';
  return runActions(ctx, a, { id: executionId, profileId, step: 0 }, options);
}

/** The cooldown guard: this automation reached them within `cooldownDays` (recorded as the reason when it stops). */
function coolingDown(
  ctx: EngineContext,
  a: Firing,
  executionId: number,
  profileId: number,
  batch: Batch | undefined,
): boolean {
  const now = ctx.clock.now().getTime();
  const last = batch ? batch.lastFiredAt(a.id, profileId) : lastFiredAt(ctx.db, a.id, profileId);
  if (last === null || last <= now - a.cooldownDays * DAY_MS) return false;
  setExecution(ctx.db, executionId, { status: 'skipped', detail: 'cooldown' }, now);
  decide(
    ctx,
    a,
    profileId,
    executionId,
    'skipped',
    'cooldown',
    `Not sent: this automation already reached them on ${day(last)}, and it waits ${a.cooldownDays} days between two.`,
  );
  return true;
}

/** A waiting occasion whose time came (a cart's delay, a wait action): the conditions again, then the next actions. */
export function resumeOccasion(
  ctx: EngineContext,
  a: Firing,
  execution: { id: number; profileId: number; step: number },
  options: FireOptions,
): Outcome {
  const now = ctx.clock.now().getTime();
  if (!profileMatches(ctx.db, execution.profileId, options.where)) {
    setExecution(ctx.db, execution.id, { status: 'skipped', detail: 'conditions' }, now);
    decide(
      ctx,
      a,
      execution.profileId,
      execution.id,
      'skipped',
      'conditions',
      "Stopped after the wait: they no longer meet this automation's conditions.",
    );
    return 'skipped';
  }
  // A cart reminder meets its cooldown when its wait is over (the cart opened the occasion, not a message).
  if (execution.step === 0 && coolingDown(ctx, a, execution.id, execution.profileId, options.batch)) return 'skipped';
  return runActions(ctx, a, execution, options);
}

interface ChannelChoice {
  channel: ChannelName;
  templateId: number;
}

/**
 * A template's name without its channel ("Win back (email)" → "win back"): template names are unique, so the same
 * message on another channel is the template whose name differs only by the channel in brackets.
 */
export const baseName = (name: string) =>
  name
    .replace(/\s*[([]\s*(e-?mail|sms|text|whatsapp)\s*[)\]]\s*$/i, '')
    .trim()
    .toLowerCase();

/** The action's channel if they said yes to it; else (when allowed) another channel they said yes to with the same message. */
function chooseChannel(ctx: EngineContext, profileId: number, action: Extract<AutomationAction, { type: 'send' }>) {
  const first = mayMarket(ctx.db, profileId, action.channel);
  if (first.ok) return { ok: true as const, choice: { channel: action.channel, templateId: action.templateId } };
  if (action.orNextConsented) {
    const name = baseName(templateById(ctx.db, action.templateId)?.name ?? '');
    for (const other of ['email', 'whatsapp', 'sms'] as const) {
      if (other === action.channel || !mayMarket(ctx.db, profileId, other).ok) continue;
      const template = listTemplates(ctx.db).find((t) => t.channel === other && baseName(t.name) === name);
      if (template) return { ok: true as const, choice: { channel: other, templateId: template.id } };
    }
  }
  return { ok: false as const, reason: first.reason };
}

function runActions(
  ctx: EngineContext,
  a: Firing,
  execution: { id: number; profileId: number; step: number },
  options: FireOptions,
): Outcome {
  const now = ctx.clock.now().getTime();
  const { profileId } = execution;
  const done: string[] = [];
  let held: { reason: string; outboxId: number } | null = null;
  let sentId: number | null = null;
  let draw: ArmDraw | null = null;
  for (let i = execution.step; i < a.actions.length; i++) {
    const action = a.actions[i] as AutomationAction;
    switch (action.type) {
      case 'wait': {
        const resumeAt = now + action.hours * HOUR_MS;
        setExecution(ctx.db, execution.id, { status: 'waiting', step: i + 1, resumeAt, draw }, now);
        const before = done.length > 0 ? `${done.join('; ')}. ` : '';
        decide(
          ctx,
          a,
          profileId,
          execution.id,
          'waiting',
          null,
          `${before}Waiting ${action.hours} hour${action.hours === 1 ? '' : 's'}, until ${new Date(resumeAt).toISOString().slice(0, 16).replace('T', ' ')} UTC, then checks the conditions again.`,
          sentId,
        );
        return 'waiting';
      }
      case 'tag':
        if (action.remove) removeTag(ctx.db, profileId, action.tag);
        else addTag(ctx.db, profileId, action.tag, `automation:${a.id}`, now);
        done.push(action.remove ? `Tag “${action.tag}” removed` : `Tagged “${action.tag}”`);
        break;
      case 'call_url': {
        const body = JSON.stringify({
          automation: { id: a.id, name: a.name },
          customer: { id: profileId },
          occasion: execution.id,
          at: new Date(now).toISOString(),
        });
        insertCall(ctx.db, ctx.brandId, execution.id, action.url, signedBody(body, options.signingKey()), now);
        done.push(`${action.url} told`);
        break;
      }
      case 'send': {
        const stop = (outcome: 'skipped' | 'failed' | 'held_out', guard: string, reason: string): Outcome => {
          setExecution(ctx.db, execution.id, { status: outcome, detail: guard, draw }, now);
          const before = done.length > 0 ? ` (${done.join('; ')})` : '';
          decide(ctx, a, profileId, execution.id, outcome, guard, `${reason}${before}`);
          return outcome;
        };
        const since = now - FREQUENCY_DAYS * DAY_MS;
        const recent = options.batch
          ? options.batch.automatedMessagesSince(profileId, since)
          : automatedMessagesSince(ctx.db, profileId, since);
        if (recent >= FREQUENCY_CAP)
          return stop(
            'skipped',
            'frequency_cap',
            `Not sent: already messaged ${recent === 2 ? 'twice' : `${recent} times`} this week (at most ${FREQUENCY_CAP} automated messages in ${FREQUENCY_DAYS} days).`,
          );
        const chosen = chooseChannel(ctx, profileId, action);
        if (!chosen.ok) return stop('skipped', 'consent', `Not sent: ${lower(chosen.reason)}`);
        const composed = compose(ctx, profileId, chosen.choice);
        if (!composed.ok) return stop('skipped', 'message', `Not sent: ${lower(composed.reason)}`);
        // Every guard passed: they would be messaged. Only now is the comparison drawn (once per occasion).
        draw ??= drawArm(ctx, a, profileId);
        if (draw.arm !== 'messaged') return stop('held_out', draw.arm, heldOutReason(a, draw.arm));
        const result = enqueue(ctx, profileId, chosen.choice, composed.message, execution.id, a.source);
        if (!('id' in result)) return stop('skipped', 'consent', `Not sent: ${lower(result.reason)}`);
        const words = CHANNEL_WORDS[chosen.choice.channel];
        if (result.status === 'held') {
          held = { reason: result.reason, outboxId: result.id };
          done.push(`${capital(words)} held — ${result.reason}`);
        } else done.push(`Sent by ${words}`);
        sentId = result.id;
        break;
      }
    }
  }
  const status = held ? 'held' : 'fired';
  setExecution(ctx.db, execution.id, { status, step: a.actions.length, draw }, now);
  decide(ctx, a, profileId, execution.id, status, held ? 'held' : null, `${done.join('; ')}.`, sentId);
  return status;
}

type Composed = ReturnType<typeof composeMessage>;

/** The message for them on the chosen channel, or why it cannot be written (no address, a template that refuses). */
function compose(
  ctx: EngineContext,
  profileId: number,
  choice: ChannelChoice,
):
  | { ok: true; message: Composed & { body: NonNullable<Composed['body']>; to: string } }
  | { ok: false; reason: string } {
  let composed: Composed;
  try {
    composed = composeMessage(ctx, {
      profileId,
      channel: choice.channel,
      templateId: choice.templateId,
      kind: 'marketing',
    });
  } catch (error) {
    if (error instanceof AppError) return { ok: false, reason: error.message };
    throw error;
  }
  if (composed.verdict.status === 'refused' || composed.body === null || composed.to === null)
    return { ok: false, reason: composed.verdict.reason ?? 'this message cannot be sent.' };
  return { ok: true, message: { ...composed, body: composed.body, to: composed.to } };
}

type Written = { status: 'pending' | 'held'; id: number; reason: string } | { status: 'cancelled'; reason: string };

function enqueue(
  ctx: EngineContext,
  profileId: number,
  choice: ChannelChoice,
  composed: Composed & { body: NonNullable<Composed['body']>; to: string },
  executionId: number,
  source: Firing['source'],
): Written {
  const enqueued = enqueueMessage(ctx, {
    ...composed.body,
    channel: choice.channel,
    to: composed.to,
    profileId,
    kind: 'marketing',
    source: source ?? 'automation',
    executionId,
    decided: composed.decision ?? undefined,
  });
  if (enqueued.status === 'cancelled') return { status: 'cancelled', reason: enqueued.reason ?? 'not allowed.' };
  return { status: enqueued.status, id: enqueued.id, reason: enqueued.reason ?? '' };
}

function heldOutReason(a: Firing, arm: 'held_out' | 'comparison_group'): string {
  if (arm === 'comparison_group')
    return "Held out: they are in the shop's comparison group, which gets no automated marketing (Settings → Automations), so all automations together can be measured against it.";
  return `Held out: kept as a comparison. ${a.holdoutPercent}% of the customers this would message get nothing, so “Did it help?” can compare what both groups bought.`;
}

const lower = (s: string) => (s ? s[0]?.toLowerCase() + s.slice(1) : s);
const capital = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);

/** The body stored with its signature: `{ body, signature }` where signature is HMAC-SHA256(body) in hex. */
export function signedBody(body: string, key: string): string {
  return JSON.stringify({ body, signature: createHmac('sha256', key).update(body).digest('hex') });
}
