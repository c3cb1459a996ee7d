/**
 * Campaigns as the shop sees them: saved drafts (checked against the template they name), the list with what each
 * did (counted from its decisions), and a campaign as the automations' firing code meets it (`firingOf`). A campaign
 * is changed or deleted only until Send is pressed: after that its audience, message and decisions are the record the
 * comparison reads.
 */
import {
  type CampaignCounts,
  type CampaignDefinition,
  type CampaignDraft,
  type CampaignMessage,
  type CampaignView,
  campaignDefinitionSchema,
} from '../../../shared/contract/campaigns';
import { AppError } from '../../../shared/contract/errors';
import { actionWords, conditionWords, type Firing } from '../automations/definition';
import { CHANNEL_WORDS } from '../channels/consent';
import { templateById } from '../channels/template-store';
import type { EngineContext } from '../context';
import {
  type CampaignRow,
  campaignRow,
  campaignRows,
  decisionCounts,
  deleteDraft,
  insertCampaign,
  updateDraft,
} from '../db/repos/campaigns';
import { shopCurrency } from '../settings/shop-settings';

export interface Campaign extends CampaignDefinition {
  id: number;
  name: string;
  updatedAt: number;
}

export function parseCampaign(row: CampaignRow): Campaign {
  const parsed = campaignDefinitionSchema.safeParse(JSON.parse(row.definition));
  if (!parsed.success)
    throw new AppError(
      'internal',
      `The campaign “${row.name}” (#${row.id}) could not be read: ${parsed.error.message}`,
    );
  return { ...parsed.data, id: row.id, name: row.name, updatedAt: row.updatedAt };
}

export function loadCampaign(ctx: EngineContext, id: number): Campaign {
  const row = campaignRow(ctx.db, ctx.brandId, id);
  if (!row) throw new AppError('not_found', `There is no campaign #${id}: it may have been deleted.`);
  return parseCampaign(row);
}

/**
 * What the firing code needs of a campaign: its one send action and comparison share; its messages carry the source
 * `campaign` in the outbox (the Messages page and the weekly limit tell them from automations' messages).
 */
export function firingOf(c: Campaign): Firing {
  return {
    id: c.id,
    name: c.name,
    conditions: c.audience,
    actions: [{ type: 'send', ...c.message }],
    priority: 1,
    cooldownDays: 1,
    holdoutPercent: c.holdoutPercent,
    updatedAt: c.updatedAt,
    source: 'campaign',
  };
}

const A_CHANNEL = { email: 'an email', sms: 'an SMS', whatsapp: 'a WhatsApp' } as const;

/** The template exists and is for the message's channel; else a refusal on the template field. */
export function checkTemplate(ctx: EngineContext, message: CampaignMessage): void {
  const template = templateById(ctx.db, message.templateId);
  if (!template)
    throw new AppError(
      'validation',
      `There is no template #${message.templateId}: it may have been deleted. Choose one.`,
      'message.templateId',
    );
  if (template.channel !== message.channel)
    throw new AppError(
      'validation',
      `The template “${template.name}” is for ${CHANNEL_WORDS[template.channel]}, not ${CHANNEL_WORDS[message.channel]}. Choose ${A_CHANNEL[message.channel]} template.`,
      'message.templateId',
    );
}

function countsOf(ctx: EngineContext, id: number): CampaignCounts {
  const by = decisionCounts(ctx.db, id);
  const n = (outcome: string) => by.get(outcome) ?? 0;
  return {
    customers: [...by.values()].reduce((a, b) => a + b, 0),
    sent: n('fired'),
    held: n('held'),
    heldOut: n('held_out'),
    notSent: n('skipped') + n('failed') + n('cancelled'),
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The audience and the message in shop words, and the comparison share. */
export function summaryOf(
  ctx: EngineContext,
  c: Pick<CampaignDefinition, 'audience' | 'message' | 'holdoutPercent'>,
): string[] {
  const who = conditionWords(c.audience, shopCurrency(ctx));
  return [
    who.length > 0 ? `To customers ${who.join(', ')}` : 'To every customer',
    actionWords({ type: 'send', ...c.message }, (id) => templateById(ctx.db, id)?.name),
    c.holdoutPercent > 0
      ? `${c.holdoutPercent}% of them are kept back as a comparison: they get nothing, so you can see whether it helped`
      : 'Nobody is kept back as a comparison, so whether it helped cannot be measured',
  ];
}

export function toView(ctx: EngineContext, c: Campaign): CampaignView {
  return {
    id: c.id,
    name: c.name,
    audience: c.audience,
    message: c.message,
    holdoutPercent: c.holdoutPercent,
    status: c.sentAt !== null ? 'sent' : c.sendStartedAt !== null ? 'sending' : 'draft',
    summary: summaryOf(ctx, c),
    sendStartedAt: iso(c.sendStartedAt),
    sentAt: iso(c.sentAt),
    counts: countsOf(ctx, c.id),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

export function campaignView(ctx: EngineContext, id: number): CampaignView {
  return toView(ctx, loadCampaign(ctx, id));
}

export function listCampaigns(ctx: EngineContext): CampaignView[] {
  return campaignRows(ctx.db, ctx.brandId).map((row) => toView(ctx, parseCampaign(row)));
}

const day = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** Refused once Send was pressed: what was sent stays what the page shows. */
function sentAlready(c: Campaign, what: string): AppError {
  return new AppError(
    'conflict',
    `“${c.name}” was sent on ${day(c.sendStartedAt ?? 0)}, so it cannot be ${what}. To send something like it again, make a new campaign.`,
  );
}

export function saveCampaign(ctx: EngineContext, input: CampaignDraft): CampaignView {
  checkTemplate(ctx, input.message);
  const now = ctx.clock.now().getTime();
  const definition = JSON.stringify({
    audience: input.audience,
    message: input.message,
    holdoutPercent: input.holdoutPercent,
    sendStartedAt: null,
    sentAt: null,
  } satisfies CampaignDefinition);
  const id = ctx.db.sqlite
    .transaction(() => {
      if (input.id === undefined) return insertCampaign(ctx.db, ctx.brandId, input.name, definition, now);
      const before = loadCampaign(ctx, input.id);
      if (!updateDraft(ctx.db, ctx.brandId, input.id, input.name, definition, now))
        throw sentAlready(before, 'changed');
      return input.id;
    })
    .immediate();
  return campaignView(ctx, id);
}

export function deleteCampaign(ctx: EngineContext, id: number): boolean {
  return ctx.db.sqlite
    .transaction(() => {
      const row = campaignRow(ctx.db, ctx.brandId, id);
      if (!row) return false;
      const c = parseCampaign(row);
      if (!deleteDraft(ctx.db, ctx.brandId, id)) throw sentAlready(c, 'deleted');
      return true;
    })
    .immediate();
}
