/**
 * A template sent by hand from "Next best action" fires through the automations' code like a campaign does, so it
 * needs a `marketing_automation` row for its occasions, decisions and messages. One row per template, made the first
 * time it is used: a campaign (trigger type `campaign`, never evaluated) named "Next best action: <template>", stored
 * as already sent — so it shows on the Campaigns page with who it reached, and Send can never send it to everyone
 * (its audience is empty: the campaign's own Send refuses a sent campaign, and the restart that finishes interrupted
 * campaigns skips it). Cooldown one day and no comparison share: the shop chose it by hand for this customer.
 */
import { conditionsSchema } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import type { Firing } from '../automations/definition';
import { templateById } from '../channels/template-store';
import type { EngineContext } from '../context';
import { campaignRows, insertCampaign } from '../db/repos/campaigns';

/** The key in the campaign's stored definition that says which template it sends by hand. */
const MARK = 'nextBestActionTemplate';

function rowFor(ctx: EngineContext, templateId: number) {
  return campaignRows(ctx.db, ctx.brandId).find((r) => {
    try {
      return (JSON.parse(r.definition) as Record<string, unknown>)[MARK] === templateId;
    } catch {
      return false;
    }
  });
}

function firingOf(
  ctx: EngineContext,
  row: { id: number; name: string; updatedAt: number },
  templateId: number,
): Firing {
  const template = templateById(ctx.db, templateId);
  if (!template) throw new AppError('not_found', `There is no template #${templateId}: it may have been deleted.`);
  return {
    id: row.id,
    name: row.name,
    conditions: conditionsSchema.parse({}),
    actions: [{ type: 'send', channel: template.channel, templateId, orNextConsented: false }],
    priority: 1,
    cooldownDays: 1,
    holdoutPercent: 0,
    updatedAt: row.updatedAt,
    source: 'campaign',
  };
}

/** The template's firing when it was sent by hand before (for the ranking's cooldown check); else undefined. */
export function templateFiringIfAny(ctx: EngineContext, templateId: number): Firing | undefined {
  const row = rowFor(ctx, templateId);
  return row ? firingOf(ctx, row, templateId) : undefined;
}

/** The template's firing, its row made now if it is the first time (call inside the Do it transaction). */
export function templateFiring(ctx: EngineContext, templateId: number): Firing {
  const found = rowFor(ctx, templateId);
  if (found) return firingOf(ctx, found, templateId);
  const template = templateById(ctx.db, templateId);
  if (!template) throw new AppError('not_found', `There is no template #${templateId}: it may have been deleted.`);
  const now = ctx.clock.now().getTime();
  const definition = {
    audience: conditionsSchema.parse({}),
    message: { channel: template.channel, templateId, orNextConsented: false },
    holdoutPercent: 0,
    sendStartedAt: now,
    sentAt: now,
    [MARK]: templateId,
  };
  const name = `Next best action: ${template.name}`.slice(0, 80);
  const id = insertCampaign(ctx.db, ctx.brandId, name, JSON.stringify(definition), now);
  return firingOf(ctx, { id, name, updatedAt: now }, templateId);
}
