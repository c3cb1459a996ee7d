/** Handlers for `automations.*`: the shop's automations, the recipes, Run now, the live count and the decisions. */
import type { DecisionView } from '../../../shared/contract/automations';
import { callSenderOf } from '../automations/calls';
import { armAutomation, runAutomation } from '../automations/evaluate';
import { recipes } from '../automations/recipes';
import { deleteAutomation, listAutomations, saveAutomation, setAutomationEnabled } from '../automations/store';
import { outboxOf } from '../channels/outbox-worker';
import type { Database } from '../db/open';
import { conditionsWhere, countMatching, triggerState } from '../db/repos/automation-candidates';
import { type DecisionRow, decisionLog, lastDecisionsFor } from '../db/repos/automations';
import { profileNames } from '../db/repos/profiles';
import { normalizeOptions } from '../settings/shop-settings';
import { handlers } from './registry';

function decisionViews(db: Database, rows: DecisionRow[]): DecisionView[] {
  const names = profileNames(db, [...new Set(rows.flatMap((r) => (r.profileId === null ? [] : [r.profileId])))]);
  return rows.map((r) => ({
    id: r.id,
    automationId: r.automationId,
    automationName: r.automationName,
    profileId: r.profileId,
    customerName: r.profileId === null ? null : (names.get(r.profileId) ?? null),
    outcome: r.outcome as DecisionView['outcome'],
    reason: r.reason,
    messageId: r.outboxId,
    at: new Date(r.createdAt).toISOString(),
  }));
}

export const automationsHandlers = handlers({
  'automations.list': (_input, ctx) => listAutomations(ctx),

  'automations.recipes': (_input, ctx) => recipes(ctx),

  'automations.save': (input, ctx) => saveAutomation(ctx, input),

  'automations.setEnabled': async ({ id, enabled }, ctx) => {
    const { view, run } = await setAutomationEnabled(ctx, id, enabled, armAutomation);
    outboxOf(ctx).kick();
    callSenderOf(ctx).kick();
    return { ...view, run };
  },

  'automations.delete': ({ id }, ctx) => ({ deleted: deleteAutomation(ctx, id) }),

  'automations.run': async ({ id }, ctx) => {
    const result = await runAutomation(ctx, id);
    outboxOf(ctx).kick();
    callSenderOf(ctx).kick();
    return result;
  },

  'automations.matchCount': ({ trigger, conditions }, ctx) => {
    const where = conditionsWhere(conditions, normalizeOptions(ctx).defaultCountry);
    const now = ctx.clock.now().getTime();
    const state = trigger ? triggerState(trigger, now) : null;
    return {
      customers: countMatching(ctx.db, ctx.brandId, where),
      inTrigger: state ? countMatching(ctx.db, ctx.brandId, where, state) : null,
    };
  },

  'automations.log': ({ automationId, profileId, limit }, ctx) =>
    decisionViews(ctx.db, decisionLog(ctx.db, ctx.brandId, { automationId, profileId, limit })),

  'automations.forCustomer': ({ profileId }, ctx) =>
    decisionViews(ctx.db, lastDecisionsFor(ctx.db, ctx.brandId, profileId)),
});
