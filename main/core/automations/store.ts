/**
 * Saving, listing, switching on and off and deleting automations. A saved automation is checked against what it
 * names (its templates exist and are for the action's channel); a new one is off until the shop switches it on.
 * Switching on arms it: customers already in its state are handled at once (evaluate.ts), later only new crossings.
 */
import type { AutomationDefinition, AutomationView, RunResult } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import { templateById } from '../channels/template-store';
import type { EngineContext } from '../context';
import {
  automationRow,
  automationRows,
  deleteAutomationRow,
  insertAutomation,
  messagesWrittenSince,
  setEnabledRow,
  updateAutomation,
} from '../db/repos/automations';
import { shopCurrency } from '../settings/shop-settings';
import { type Automation, DAY_MS, parseAutomation, summaryOf } from './definition';

export function loadAutomation(ctx: EngineContext, id: number): Automation {
  const row = automationRow(ctx.db, ctx.brandId, id);
  if (!row) throw new AppError('not_found', `There is no automation #${id}: it may have been deleted.`);
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

function checkNames(ctx: EngineContext, input: AutomationDefinition): void {
  input.actions.forEach((action, i) => {
    if (action.type !== 'send') return;
    const template = templateById(ctx.db, action.templateId);
    if (!template)
      throw new AppError('validation', `Action ${i + 1}: there is no template #${action.templateId}. Choose one.`);
    if (template.channel !== action.channel)
      throw new AppError(
        'validation',
        `Action ${i + 1}: the template "${template.name}" is for ${template.channel}, not ${action.channel}. Choose a ${action.channel} template.`,
      );
  });
}

export function saveAutomation(ctx: EngineContext, input: AutomationDefinition): AutomationView {
  checkNames(ctx, input);
  const now = ctx.clock.now().getTime();
  const write = {
    name: input.name,
    triggerType: input.trigger.type,
    definition: JSON.stringify({ trigger: input.trigger, conditions: input.conditions, actions: input.actions }),
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

export function deleteAutomation(ctx: EngineContext, id: number): boolean {
  return ctx.db.sqlite.transaction(() => deleteAutomationRow(ctx.db, ctx.brandId, id)).immediate();
}

/** Switches it on (armed now; `arm` evaluates everyone already in its state) or off. */
export function setAutomationEnabled(
  ctx: EngineContext,
  id: number,
  enabled: boolean,
  arm: (ctx: EngineContext, a: Automation) => RunResult,
): { view: AutomationView; run: RunResult | null } {
  const before = loadAutomation(ctx, id);
  const now = ctx.clock.now().getTime();
  if (!enabled || before.enabled) {
    ctx.db.sqlite.transaction(() => setEnabledRow(ctx.db, ctx.brandId, id, enabled, now)).immediate();
    return { view: automationView(ctx, id), run: null };
  }
  setEnabledRow(ctx.db, ctx.brandId, id, true, now);
  const run = arm(ctx, loadAutomation(ctx, id));
  return { view: automationView(ctx, id), run };
}
