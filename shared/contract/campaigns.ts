/**
 * Campaigns: a one-off message to an audience (a segment, a tag, or any of the automations' conditions), sent once
 * when the shop presses Send, through the automations' own guards, comparison share (holdout) and decision log.
 * Before Send, `campaigns.preview` says how many customers it reaches, how many have no yes on the channel, and what
 * it costs, without writing anything. Stored as a `marketing_automation` row whose trigger type is `campaign` (never
 * listed or evaluated as an automation); this file is the shape of its `definition`.
 */
import { z } from 'zod';
import { actionSchema, conditionsSchema } from './automations';
import { command } from './define';

/** The send action of automations without its `type`: the channel, the template, and "or the next channel they said yes to". */
const sendAction = actionSchema.options[0];
export const campaignMessageSchema = sendAction.omit({ type: true }).strict();
export type CampaignMessage = z.output<typeof campaignMessageSchema>;

const campaignFields = {
  name: z.string().trim().min(1, 'Give the campaign a name').max(80, 'A name can be at most 80 characters'),
  /** Who it goes to: every condition given must hold; none at all is every customer. */
  audience: conditionsSchema.default(conditionsSchema.parse({})),
  message: campaignMessageSchema,
  /** Of the customers it would message (every guard passed), this share gets nothing and is the comparison. */
  holdoutPercent: z
    .number({ error: 'The comparison share must be a percentage' })
    .int('The comparison share is a whole percentage')
    .min(0, 'The comparison share cannot be negative')
    .max(50, 'At most half can be kept back as a comparison')
    .default(10),
};

/** What the page saves: a draft (without an id, a new one). A campaign that was sent cannot be changed. */
export const campaignInputSchema = z.object({ id: z.number().int().positive().optional(), ...campaignFields }).strict();
export type CampaignInput = z.input<typeof campaignInputSchema>;
export type CampaignDraft = z.output<typeof campaignInputSchema>;

/** The stored `definition` (ms since the epoch for the two dates; null until it happens). */
export const campaignDefinitionSchema = z.object({
  audience: campaignFields.audience,
  message: campaignMessageSchema,
  holdoutPercent: campaignFields.holdoutPercent,
  /** Send was pressed (a crash after it is finished at the next start). */
  sendStartedAt: z.number().nullable().default(null),
  /** Every customer in the audience was met. */
  sentAt: z.number().nullable().default(null),
});
export type CampaignDefinition = z.output<typeof campaignDefinitionSchema>;

export const CAMPAIGN_STATUSES = ['draft', 'sending', 'sent'] as const;

/** What the decisions say, per outcome (one decision per customer in the audience). */
export const campaignCountsSchema = z.object({
  /** Customers met: one decision each. */
  customers: z.number().int(),
  /** Messages written now (they go as soon as the outbox reaches them). */
  sent: z.number().int(),
  /** Messages written and held (quiet hours, sending paused, the daily limit): they go when the hold ends. */
  held: z.number().int(),
  /** Kept back as the comparison: no message. */
  heldOut: z.number().int(),
  /** Not sent, each with its reason (no yes on the channel, already 2 messages this week…). */
  notSent: z.number().int(),
});
export type CampaignCounts = z.output<typeof campaignCountsSchema>;

export const campaignSchema = z.object({
  id: z.number().int().positive(),
  ...campaignFields,
  status: z.enum(CAMPAIGN_STATUSES),
  /** The audience and the message in shop words. */
  summary: z.array(z.string()),
  sendStartedAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  counts: campaignCountsSchema,
  updatedAt: z.string(),
});
export type CampaignView = z.output<typeof campaignSchema>;

const channelCounts = z.object({ email: z.number().int(), sms: z.number().int(), whatsapp: z.number().int() });

export const campaignPreviewSchema = z.object({
  /** Customers who match the audience now. */
  audience: z.number().int(),
  /** Of them, those a message can go to (a yes on the channel, an address, under the weekly limit). */
  recipients: z.number().int(),
  /** Recipients per channel (another channel only when "or the next channel they said yes to" is on). */
  byChannel: channelCounts,
  /** In the audience with no yes on the channel (nor, when allowed, on another). */
  withoutConsent: z.number().int(),
  /** A yes, but no email address (or phone number) to send to. */
  withoutAddress: z.number().int(),
  /** Already had the most marketing messages a week allows. */
  atWeeklyLimit: z.number().int(),
  /** About this many recipients are kept back as the comparison (drawn per customer, so not exactly). */
  heldOut: z.number().int(),
  /** About this many messages are written (recipients less the comparison). */
  messages: z.number().int(),
  /** The messages' cost at the shop's prices (email: nothing); null when a price is not set. */
  cost: z.number().nullable(),
  currency: z.string(),
  /** What would stop Send (a channel not connected), in words; empty when it can go. */
  problems: z.array(z.string()),
  /** The preview in sentences. */
  summary: z.array(z.string()),
});
export type CampaignPreview = z.output<typeof campaignPreviewSchema>;

export const campaignRunSchema = z.object({
  campaign: campaignSchema,
  /** What it did, in words: messages written, held, kept back as the comparison, not sent. */
  summary: z.string(),
});
export type CampaignRun = z.output<typeof campaignRunSchema>;

const idInput = z.object({ id: z.number().int().positive() }).strict();

export const campaignsContract = {
  'campaigns.list': command('Every campaign, newest first', z.object({}).strict(), z.array(campaignSchema)),
  'campaigns.get': command('One campaign with its counts', idInput, campaignSchema),
  'campaigns.preview': command(
    'Before Send: who it reaches, who has no yes on the channel, and the cost (nothing is written)',
    campaignInputSchema.omit({ id: true, name: true }),
    campaignPreviewSchema,
  ),
  'campaigns.save': command('Create or change a campaign not sent yet', campaignInputSchema, campaignSchema),
  'campaigns.send': command(
    'Send it: every customer in the audience meets the guards once; the comparison share gets nothing',
    idInput,
    campaignRunSchema,
  ),
  'campaigns.delete': command('Delete a campaign not sent yet', idInput, z.object({ deleted: z.boolean() })),
} as const;
