/**
 * "Do it": the chosen next best action, done now through the automations' own code, so every guard applies exactly
 * as when an automation fires (fire.ts): the occasion once (`<profile>:nba:<kind>:<what>:<day>` — a second press the
 * same day sends nothing twice), the conditions and cooldown, the weekly limit, consent, the comparison share, sending
 * paused and the daily limit (held), quiet hours (held until 08:00 their time). The occasion, its decision and its
 * message commit in one immediate transaction; the outbox is woken after. A tag is added as an automation adds one;
 * "call them" puts them on the shop's list to call: the tag “To call”, which the Customers page filters by.
 * The answer is one sentence: sent, held and until when, or not sent and why (the decision's own reason).
 */
import { AppError } from '../../../shared/contract/errors';
import type { DoItResult } from '../../../shared/contract/next-best-action';
import type { Firing } from '../automations/definition';
import { fireAll, type Pending } from '../automations/evaluate';
import { loadAutomation } from '../automations/store';
import { CHANNEL_WORDS } from '../channels/consent';
import { outboxOf } from '../channels/outbox-worker';
import { templateById } from '../channels/template-store';
import type { ChannelName } from '../channels/types';
import type { EngineContext } from '../context';
import { customer360 } from '../customers/customer-cache';
import { stakeOf } from '../db/repos/automation-candidates';
import { addTag, decisionLog } from '../db/repos/automations';
import { CALL_TAG, type NextBestActionKind, occasionKey } from './next-best-action';
import { templateFiring } from './next-best-action-firing';

export interface DoItChoice {
  kind: NextBestActionKind;
  what: number | string;
  channel: ChannelName | null;
}

const lower = (s: string) => (s ? s[0]?.toLowerCase() + s.slice(1) : s);

function customerName(ctx: EngineContext, profileId: number): string {
  const found = customer360(ctx, profileId);
  if (!found) throw new AppError('not_found', `There is no customer #${profileId}: they may have been erased.`);
  if (found.status === 'merged')
    throw new AppError('not_found', `Customer #${profileId} was joined into #${found.mergedInto}: open that one.`);
  return found.customer.firstName?.trim() || found.customer.name?.trim() || `customer #${profileId}`;
}

const idOf = (what: number | string, kind: string): number => {
  if (typeof what !== 'number') throw new AppError('validation', `Say which ${kind} by its number.`, 'action.what');
  return what;
};

/** The automation's firing, or the template's (made the first time), and the message's words for the answer. */
function firingFor(ctx: EngineContext, choice: DoItChoice): { firing: Firing; message: string } {
  if (choice.kind === 'automation') {
    const a = loadAutomation(ctx, idOf(choice.what, 'automation'));
    if (!a.enabled)
      throw new AppError(
        'conflict',
        `“${a.name}” is off: switch it on first on the Automations page, or send its template instead.`,
      );
    const send = a.actions.find((x) => x.type === 'send');
    if (!send) throw new AppError('conflict', `“${a.name}” sends no message, so there is nothing to send.`);
    const name = templateById(ctx.db, send.templateId)?.name;
    return { firing: a, message: name ? `“${name}”` : `the message of “${a.name}”` };
  }
  const id = idOf(choice.what, 'template');
  const template = templateById(ctx.db, id);
  if (!template) throw new AppError('not_found', `There is no template #${id}: it may have been deleted.`);
  return { firing: templateFiring(ctx, id), message: `“${template.name}”` };
}

function doMessage(ctx: EngineContext, profileId: number, choice: DoItChoice, name: string): DoItResult {
  const key = occasionKey(ctx, profileId, choice.kind, choice.what);
  const now = ctx.clock.now().getTime();
  let message = '';
  let automationId = 0;
  const t = ctx.db.sqlite
    .transaction(() => {
      const made = firingFor(ctx, choice);
      message = made.message;
      automationId = made.firing.id;
      const pending: Pending = {
        automation: made.firing,
        // An automation's own conditions are checked again (a guard); a template chosen by hand has none.
        occasion: { profileId, key, occurredAt: now, conditionsMet: choice.kind === 'template' },
        stake: stakeOf(ctx.db, profileId),
      };
      return fireAll(ctx, [pending]);
    })
    .immediate();
  outboxOf(ctx).kick();
  const decision = decisionLog(ctx.db, ctx.brandId, { automationId, profileId, limit: 1 })[0];
  const reason = decision?.reason ?? '';
  const channel = choice.channel ? ` by ${CHANNEL_WORDS[choice.channel]}` : '';
  if (t.handled > 0)
    return {
      outcome: 'already',
      sentence: `Already done for ${name} today, so nothing was sent twice. Then: ${reason || 'done.'}`,
    };
  if (t.fired > 0) return { outcome: 'sent', sentence: `Sent ${message}${channel} to ${name}.` };
  if (t.held > 0 || t.waiting > 0) {
    const why = reason.includes(' — ') ? reason.slice(reason.indexOf(' — ') + 3) : reason;
    return {
      outcome: 'held',
      sentence: `${message}${channel} to ${name} is written and held, not lost — ${lower(why).replace(/\.$/, '')}.`,
    };
  }
  if (t.heldOut > 0) return { outcome: 'held_out', sentence: `Not sent. ${reason}` };
  return { outcome: 'not_sent', sentence: reason || `Not sent to ${name}.` };
}

/** Does the chosen action for this customer now; the answer says what happened in a sentence. */
export function doNextBestAction(ctx: EngineContext, profileId: number, choice: DoItChoice): DoItResult {
  const name = customerName(ctx, profileId);
  if (choice.kind === 'automation' || choice.kind === 'template') return doMessage(ctx, profileId, choice, name);
  const now = ctx.clock.now().getTime();
  if (choice.kind === 'tag') {
    const tag = String(choice.what).trim();
    const added = ctx.db.sqlite.transaction(() => addTag(ctx.db, profileId, tag, 'next-best-action', now)).immediate();
    return added
      ? {
          outcome: 'tagged',
          sentence: `Tagged ${name} “${tag}”: automations that look for this tag can reach them now.`,
        }
      : { outcome: 'already', sentence: `${name} already had the tag “${tag}”: nothing changed.` };
  }
  const added = ctx.db.sqlite
    .transaction(() => addTag(ctx.db, profileId, CALL_TAG, 'next-best-action:call', now))
    .immediate();
  const where = `the Customers page lists everyone to call when you filter by the tag “${CALL_TAG}”`;
  return added
    ? { outcome: 'noted', sentence: `${name} is on your list to call: ${where}.` }
    : { outcome: 'already', sentence: `${name} was already on your list to call: ${where}.` };
}
