/**
 * Saving, listing, switching on and off and deleting automations. A saved automation is checked against what it
 * names (its templates exist and are for the action's channel); a new one is off until the shop switches it on.
 * Switching on arms it: customers already in its state are handled at once (evaluate.ts), later only new crossings.
 */
import type { AutomationDefinition, AutomationView, RunResult } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import { CHANNEL_WORDS } from '../channels/consent';
import { templateById } from '../channels/template-store';
import type { EngineContext } from '../context';
import {
  automationRow,
  automationRows,
  deleteAutomationRow,
  insertAutomation,
  insertDecision,
  messagesWrittenSince,
  setEnabledRow,
  setExecution,
  unsentOfAutomation,
  updateAutomation,
  waitingOfAutomation,
} from '../db/repos/automations';
import { markOutboxFinal } from '../db/repos/message-outbox';
import { shopCurrency } from '../settings/shop-settings';
import { type Automation, DAY_MS, parseAutomation, summaryOf } from './definition';

export function loadAutomation(ctx: EngineContext, id: number): Automation {
  const row = automationRow(ctx.db, ctx.brandId, id);
  // A campaign is kept in the same table but is not an automation: it is changed and deleted on the Campaigns page.
  if (!row || row.triggerType === 'campaign')
    throw new AppError('not_found', `There is no automation #${id}: it may have been deleted.`);
  return parseAutomation(row);
}

export function enabledAutomations(ctx: EngineContext): Automation[] {
  return automationRows(ctx.db, ctx.brandId, true).map(parseAutomation);
}

export function toView(ctx: EngineContext, a: Automation): AutomationView {
  const now = ctx.clock.now().getTime();
  const name = (id: number) => templateById(ctx.db, id)?.name;
  return {
    id: a.id,
    name: a.name,
    trigger: a.trigger,
    conditions: a.conditions,
    actions: a.actions,
    priority: a.priority,
    cooldownDays: a.cooldownDays,
    recipe: a.recipe,
    holdoutPercent: a.holdoutPercent,
    enabled: a.enabled,
    summary: summaryOf(a, shopCurrency(ctx), name),
    sent30d: messagesWrittenSince(ctx.db, a.id, now - 30 * DAY_MS),
    lastRunAt: a.lastRunAt === null ? null : new Date(a.lastRunAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
  };
}

export function automationView(ctx: EngineContext, id: number): AutomationView {
  return toView(ctx, loadAutomation(ctx, id));
}

export function listAutomations(ctx: EngineContext): AutomationView[] {
  return automationRows(ctx.db, ctx.brandId).map((row) => toView(ctx, parseAutomation(row)));
}

const A_CHANNEL = { email: 'an email', sms: 'an SMS', whatsapp: 'a WhatsApp' } as const;

function checkNames(ctx: EngineContext, input: AutomationDefinition): void {
  input.actions.forEach((action, i) => {
    if (action.type !== 'send') return;
    const template = templateById(ctx.db, action.templateId);
    if (!template)
      throw new AppError('validation', `Action ${i + 1}: there is no template #${action.templateId}. Choose one.`);
    if (template.channel !== action.channel)
      throw new AppError(
        'validation',
        `Action ${i + 1}: the template “${template.name}” is for ${CHANNEL_WORDS[template.channel]}, not ${CHANNEL_WORDS[action.channel]}. Choose ${A_CHANNEL[action.channel]} template.`,
      );
  });
}

export function saveAutomation(ctx: EngineContext, input: AutomationDefinition): AutomationView {
  checkNames(ctx, input);
  const now = ctx.clock.now().getTime();
  const write = {
    name: input.name,
    triggerType: input.trigger.type,
    definition: JSON.stringify({
      trigger: input.trigger,
      conditions: input.conditions,
      actions: input.actions,
      holdoutPercent: input.holdoutPercent,
    }),
    recipe: input.recipe,
    priority: input.priority,
    cooldownDays: input.cooldownDays,
  };
  const id = ctx.db.sqlite
    .transaction(() => {
      if (input.id === undefined) return insertAutomation(ctx.db, ctx.brandId, write, now);
      if (!updateAutomation(ctx.db, ctx.brandId, input.id, write, now))
        throw new AppError('not_found', `There is no automation #${input.id}: it may have been deleted.`);
      return input.id;
    })
    .immediate();
  return automationView(ctx, id);
}

/**
 * Switched off or deleted: its messages not gone yet are cancelled and its waiting occasions end, each with a
 * decision saying so (a shop that spots a wrong message at night switches it off and nothing more goes at 08:00).
 */
function stopWhatWaits(ctx: EngineContext, a: Automation, why: string): number {
  const now = ctx.clock.now().getTime();
  let stopped = 0;
  for (const row of unsentOfAutomation(ctx.db, a.id)) {
    markOutboxFinal(ctx.db, row.id, 'cancelled', `Not sent: ${why}.`, now);
    setExecution(ctx.db, row.executionId, { status: 'cancelled', detail: 'off' }, now);
    insertDecision(
      ctx.db,
      ctx.brandId,
      {
        automationId: a.id,
        profileId: row.profileId,
        executionId: row.executionId,
        outcome: 'cancelled',
        guard: 'off',
        reason: `Not sent: ${why}.`,
        outboxId: row.id,
      },
      now,
    );
    stopped += 1;
  }
  for (const e of waitingOfAutomation(ctx.db, a.id)) {
    setExecution(ctx.db, e.id, { status: 'cancelled', detail: 'off' }, now);
    insertDecision(
      ctx.db,
      ctx.brandId,
      {
        automationId: a.id,
        profileId: e.profileId,
        executionId: e.id,
        outcome: 'cancelled',
        guard: 'off',
        reason: `Stopped: ${why}.`,
        outboxId: null,
      },
      now,
    );
    stopped += 1;
  }
  return stopped;
}

export function deleteAutomation(ctx: EngineContext, id: number): boolean {
  return ctx.db.sqlite
    .transaction(() => {
      const row = automationRow(ctx.db, ctx.brandId, id);
      if (!row || row.triggerType === 'campaign') return false;
      stopWhatWaits(ctx, parseAutomation(row), `the automation “${row.name}” was deleted`);
      return deleteAutomationRow(ctx.db, ctx.brandId, id);
    })
    .immediate();
}

/** Switches it on (armed now; `arm` evaluates everyone already in its state) or off. */
export async function setAutomationEnabled(
  ctx: EngineContext,
  id: number,
  enabled: boolean,
  arm: (ctx: EngineContext, a: Automation) => Promise<RunResult>,
): Promise<{ view: AutomationView; run: RunResult | null }> {
  const before = loadAutomation(ctx, id);
  const now = ctx.clock.now().getTime();
  if (!enabled || before.enabled) {
    ctx.db.sqlite
      .transaction(() => {
        setEnabledRow(ctx.db, ctx.brandId, id, enabled, now);
        if (!enabled) stopWhatWaits(ctx, before, 'the automation was switched off');
      })
      .immediate();
    return { view: automationView(ctx, id), run: null };
  }
  // Marked on and pending in one commit: a crash while arming is finished at the next start (evaluate.ts).
  ctx.db.sqlite.transaction(() => setEnabledRow(ctx.db, ctx.brandId, id, true, now)).immediate();
  const run = await arm(ctx, loadAutomation(ctx, id));
  return { view: automationView(ctx, id), run };
}
