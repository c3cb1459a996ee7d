/**
 * Automations: a trigger (what makes it fire, and its occasion: what it fires once for), conditions the customer must
 * meet, and actions in order (send a message, add or remove a tag, call a URL, wait then re-check). Every evaluation
 * that matters is a decision with its reason in words: fired, skipped (which guard), waiting, held, failed.
 * Recipes are the ready-made automations the page offers (and `constintel automations add --recipe`).
 */
import { z } from 'zod';
import { command } from './define';

export const AUTOMATION_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
const channel = z.enum(AUTOMATION_CHANNELS);

const hours = (what: string) =>
  z
    .number({ error: `${what} must be a number of hours` })
    .min(1, `${what} must be at least 1 hour`)
    .max(24 * 90, `${what} can be at most 90 days`);
const days = (what: string) =>
  z
    .number({ error: `${what} must be a number of days` })
    .int(`${what} must be a whole number of days`)
    .min(1, `${what} must be at least 1 day`)
    .max(3650, `${what} can be at most 10 years`);
const percent = (what: string) =>
  z
    .number({ error: `${what} must be a percentage` })
    .min(0, `${what} must be between 0 and 100`)
    .max(100, `${what} must be between 0 and 100`);
const amount = (what: string) =>
  z
    .number({ error: `${what} must be an amount` })
    .min(0, `${what} cannot be negative`)
    .max(1e9, `${what} is too large`);

/**
 * The triggers. Occasions: churn_risk — each crossing of the threshold (risk in %, 0–100); abandoned_cart — each
 * cart or unfinished checkout with no purchase within `afterHours`; product_intent — each product, once, when the
 * interest score reaches `atLeast`; ltv_milestone — once ever when lifetime value reaches `amount`; first_purchase —
 * once ever; purchase_overdue — each expected purchase date passed; segment_entered — each entry into `segment`;
 * no_purchase — each lapse of `days` without a purchase.
 */
export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('churn_risk'), atLeast: percent('The churn risk') }),
  z.object({ type: z.literal('abandoned_cart'), afterHours: hours('The wait after a cart') }),
  z.object({ type: z.literal('product_intent'), atLeast: percent('The interest score').default(70) }),
  z.object({ type: z.literal('ltv_milestone'), amount: amount('The lifetime value milestone') }),
  z.object({ type: z.literal('first_purchase') }),
  z.object({ type: z.literal('purchase_overdue') }),
  z.object({ type: z.literal('segment_entered'), segment: z.string().trim().min(1, 'Choose a segment').max(80) }),
  z.object({ type: z.literal('no_purchase'), days: days('The days without a purchase') }),
]);
export type Trigger = z.output<typeof triggerSchema>;
export type TriggerType = Trigger['type'];
export const TRIGGER_TYPES = [
  'churn_risk',
  'abandoned_cart',
  'product_intent',
  'ltv_milestone',
  'first_purchase',
  'purchase_overdue',
  'segment_entered',
  'no_purchase',
] as const satisfies readonly TriggerType[];

const range = (what: string, value: (w: string) => z.ZodNumber) =>
  z
    .object({
      min: value(`The lowest ${what}`).nullable().default(null),
      max: value(`The highest ${what}`).nullable().default(null),
    })
    .refine((r) => r.min === null || r.max === null || r.min <= r.max, `The lowest ${what} is above the highest`);

/** All given conditions must hold (an empty list or a null range is no condition). */
export const conditionsSchema = z
  .object({
    segmentIs: z.array(z.string().trim().min(1).max(80)).max(20).default([]),
    segmentIsNot: z.array(z.string().trim().min(1).max(80)).max(20).default([]),
    /** Churn risk in %. */
    churnRisk: range('churn risk', percent).nullable().default(null),
    predictedValue: range('predicted value', amount).nullable().default(null),
    lifetimeValue: range('lifetime value', amount).nullable().default(null),
    orders: range('number of orders', amount).nullable().default(null),
    /** A yes to marketing on this channel. */
    consentOn: channel.nullable().default(null),
    /** Bought a product whose title or category contains this text (case-insensitive). */
    boughtProduct: z.string().trim().max(200).nullable().default(null),
    boughtCategory: z.string().trim().max(200).nullable().default(null),
    /** ISO country codes (of the customer's phone number, else the shop's). */
    country: z
      .array(
        z
          .string()
          .trim()
          .toUpperCase()
          .regex(/^[A-Z]{2}$/, 'A country is a two-letter code such as GB'),
      )
      .max(50)
      .default([]),
    hasTag: z.string().trim().max(60).nullable().default(null),
    lacksTag: z.string().trim().max(60).nullable().default(null),
  })
  .strict();
export type Conditions = z.output<typeof conditionsSchema>;

const tagName = z
  .string()
  .trim()
  .min(1, 'Name the tag')
  .max(60, 'A tag can be at most 60 characters')
  .regex(/^[\p{L}\p{N} _-]+$/u, 'A tag has letters, digits, spaces, - and _ only');

export const actionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('send'),
    channel,
    templateId: z.number().int().positive({ error: 'Choose a template' }),
    /** When the customer has no yes on `channel`, use another channel they said yes to (with its template of the same name). */
    orNextConsented: z.boolean().default(false),
  }),
  z.object({ type: z.literal('tag'), tag: tagName, remove: z.boolean().default(false) }),
  z.object({
    type: z.literal('call_url'),
    url: z
      .string()
      .trim()
      .url('Give a full address starting with https:// or http://')
      .refine((u) => /^https?:\/\//i.test(u), 'The address must start with https:// or http://'),
  }),
  z.object({ type: z.literal('wait'), hours: hours('The wait') }),
]);
export type AutomationAction = z.output<typeof actionSchema>;

export const RECIPES = [
  'win-back',
  'abandoned-cart',
  'product-interest',
  'best-customers',
  'welcome',
  'restock',
] as const;
export type RecipeName = (typeof RECIPES)[number];

const automationFields = {
  name: z.string().trim().min(1, 'Give the automation a name').max(80, 'A name can be at most 80 characters'),
  trigger: triggerSchema,
  conditions: conditionsSchema.default(conditionsSchema.parse({})),
  actions: z.array(actionSchema).min(1, 'Add at least one action').max(10, 'At most 10 actions'),
  /** 1 is the highest; when several fire for one customer at once, the higher priority goes first. */
  priority: z.number().int().min(1, 'Priority is 1 or more').max(100, 'Priority is at most 100').default(10),
  cooldownDays: days('The cooldown').default(30),
  recipe: z.enum(RECIPES).nullable().default(null),
  /**
   * Of the customers it would message (every guard passed), this share is held out as a comparison, drawn by a hash
   * of (automation, customer): "Did it help?" compares what both groups bought afterwards.
   */
  holdoutPercent: z
    .number({ error: 'The comparison share must be a percentage' })
    .int('The comparison share is a whole percentage')
    .min(0, 'The comparison share cannot be negative')
    .max(50, 'At most half can be held out as a comparison')
    .default(10),
};

export const automationInputSchema = z
  .object({ id: z.number().int().positive().optional(), ...automationFields })
  .strict();
export type AutomationInput = z.input<typeof automationInputSchema>;
export type AutomationDefinition = z.output<typeof automationInputSchema>;

export const DECISION_OUTCOMES = ['fired', 'skipped', 'waiting', 'held', 'failed', 'cancelled', 'held_out'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export const decisionSchema = z.object({
  id: z.number().int(),
  automationId: z.number().int(),
  automationName: z.string(),
  profileId: z.number().int().nullable(),
  customerName: z.string().nullable(),
  outcome: z.enum(DECISION_OUTCOMES),
  /** The sentence the shop reads: "Sent by email", "Not sent: already messaged twice this week". */
  reason: z.string(),
  /** The outbox row, when a message was written. */
  messageId: z.number().int().nullable(),
  at: z.string(),
});
export type DecisionView = z.output<typeof decisionSchema>;

export const automationSchema = z.object({
  id: z.number().int().positive(),
  ...automationFields,
  enabled: z.boolean(),
  /** The trigger, conditions and actions in one sentence each, in shop words. */
  summary: z.array(z.string()),
  /** Messages written in the last 30 days. */
  sent30d: z.number().int(),
  lastRunAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type AutomationView = z.output<typeof automationSchema>;

export const recipeSchema = z.object({
  name: z.enum(RECIPES),
  title: z.string(),
  description: z.string(),
  automation: automationInputSchema,
});
export type Recipe = z.output<typeof recipeSchema>;

export const runResultSchema = z.object({
  automationId: z.number().int(),
  /** Customers looked at, and the decisions made, by outcome. */
  evaluated: z.number().int(),
  fired: z.number().int(),
  skipped: z.number().int(),
  waiting: z.number().int(),
  held: z.number().int(),
  failed: z.number().int(),
  /** Every guard passed, but held out as a comparison (the automation's share or the shop-wide group). */
  heldOut: z.number().int(),
  /** In words: "12 messages written, 3 not sent (no consent)". */
  summary: z.string(),
});
export type RunResult = z.output<typeof runResultSchema>;

const idInput = z.object({ id: z.number().int().positive() }).strict();

export const automationsContract = {
  'automations.list': command(
    'Every automation, highest priority first',
    z.object({}).strict(),
    z.array(automationSchema),
  ),
  'automations.recipes': command(
    'The ready-made automations, filled in for this shop (templates chosen where one fits)',
    z.object({}).strict(),
    z.array(recipeSchema),
  ),
  'automations.save': command(
    'Create or change an automation (it keeps its on/off state; a new one is off)',
    automationInputSchema,
    automationSchema,
  ),
  'automations.setEnabled': command(
    'Switch an automation on (customers already in its state are handled at once: `run` says what it did) or off',
    z.object({ id: z.number().int().positive(), enabled: z.boolean() }).strict(),
    automationSchema.extend({ run: runResultSchema.nullable() }),
  ),
  'automations.delete': command(
    'Delete an automation; its decisions go with it',
    idInput,
    z.object({ deleted: z.boolean() }),
  ),
  'automations.run': command(
    'Run now: evaluate every customer for this automation (refused while it is off)',
    idInput,
    runResultSchema,
  ),
  'automations.matchCount': command(
    'How many customers meet these conditions now (the editor’s live count)',
    z.object({ trigger: triggerSchema.optional(), conditions: conditionsSchema }).strict(),
    z.object({ customers: z.number().int(), inTrigger: z.number().int().nullable() }),
  ),
  'automations.log': command(
    'The execution log: the newest decisions, for one automation or all',
    z
      .object({
        automationId: z.number().int().positive().optional(),
        profileId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    z.array(decisionSchema),
  ),
  'automations.forCustomer': command(
    'Customer 360: per automation, the last decision for this customer',
    z.object({ profileId: z.number().int().positive() }).strict(),
    z.array(decisionSchema),
  ),
} as const;
