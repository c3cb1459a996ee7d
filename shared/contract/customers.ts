/** Customers: search and list, the Customer 360 view, and its timeline. */
import { z } from 'zod';
import { EVENT_TYPES } from '../events';
import { command } from './define';

const id = z.number().int().positive();

export const RISK_LEVELS = ['high', 'medium', 'low'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Where the active version puts High, Medium and Low churn risk, set from the shop's own buyers at each retrain
 * (main/core/ml/retrain/risk-bands.ts): High from `high` up, Low below `low`, Medium between.
 */
export const riskBandsSchema = z.object({
  high: z.number(),
  low: z.number(),
  /**
   * The shop's usual churn risk: the mean of its buyers' when the version was made. Null for a version from before
   * the bands were set from the shop, which uses fixed thresholds (High from 70%, Low below 40%).
   */
  baseRate: z.number().nullable(),
});
export type RiskBandsView = z.output<typeof riskBandsSchema>;

export const identifierViewSchema = z.object({
  type: z.string(),
  value: z.string(),
  /** As it first arrived (before normalising), when different. */
  rawValue: z.string().nullable(),
  /** Where it came from: api, shopify, whatsapp, pos… */
  source: z.string(),
  firstSeenAt: z.string(),
  /** Seen with other people too (a family phone, a home tablet): it recognises them only with their name. */
  shared: z.boolean(),
});
export type IdentifierView = z.output<typeof identifierViewSchema>;

export const customerSummarySchema = z.object({
  id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  lifetimeValue: z.number(),
  totalOrders: z.number().int(),
  strength: z.number(),
  lastSeenAt: z.string().nullable(),
  /** Chance of no purchase within the churn horizon, from the active model; null when not scored (or never bought). */
  churnScore: z.number().nullable(),
  /** The churn score's band by the active version's thresholds; null when there is no churn score. */
  riskBand: z.enum(RISK_LEVELS).nullable(),
  /** Predicted net spend over the value horizon, from the active model; null when not scored. */
  ltvScore: z.number().nullable(),
  /** Segment from the active version ("Champions", "At risk" …); null when not scored. */
  segment: z.string().nullable(),
});
export type CustomerSummary = z.output<typeof customerSummarySchema>;

export const mergeViewSchema = z.object({
  id,
  createdAt: z.string(),
  reason: z.enum(['automatic', 'review']),
  baseProfileId: id,
  mergedProfileIds: z.array(id),
  /** The identifier values that linked the profiles. */
  evidence: z.array(z.object({ type: z.string(), value: z.string() })),
  undoneAt: z.string().nullable(),
  /** False when a later merge into this profile must be undone first. */
  canUndo: z.boolean(),
});
export type MergeView = z.output<typeof mergeViewSchema>;

export const customer360Schema = z.object({
  id,
  name: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  strength: z.number(),
  lifetimeValue: z.number(),
  totalOrders: z.number().int(),
  currency: z.string(),
  firstSeenAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  lastPurchaseAt: z.string().nullable(),
  createdAt: z.string(),
  consent: z.object({ email: z.boolean().nullable(), sms: z.boolean().nullable(), whatsapp: z.boolean().nullable() }),
  identifiers: z.array(identifierViewSchema),
  /** Shared values held on another household member's profile that this customer also uses. */
  sharedIdentifiersUsed: z.array(z.object({ type: z.string(), value: z.string(), firstSeenAt: z.string() })),
  eventCount: z.number().int(),
  merges: z.array(mergeViewSchema),
  /** Checkouts they left unfinished and have not completed since. */
  openCarts: z.array(
    z.object({
      token: z.string(),
      total: z.number().nullable(),
      currency: z.string().nullable(),
      abandonedAt: z.string(),
      url: z.string().nullable(),
    }),
  ),
});
export type Customer360 = z.output<typeof customer360Schema>;

export const timelineEventSchema = z.object({
  id,
  type: z.enum(EVENT_TYPES).or(z.string()),
  source: z.string(),
  externalId: z.string().nullable(),
  occurredAt: z.string(),
  /** One line for people: "Bought 2 items for 42.50 GBP". */
  summary: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
export type TimelineEvent = z.output<typeof timelineEventSchema>;

export const customersContract = {
  'customers.search': command(
    'Find customers by name prefix or any identifier; sorted, one page at a time.',
    z
      .object({
        query: z.string().trim().max(200).default(''),
        /** churn_risk and predicted_value put customers not scored yet last. */
        sort: z.enum(['lifetime_value', 'last_seen', 'churn_risk', 'predicted_value']).default('last_seen'),
        /** Only customers whose churn score is in this band (the active version's thresholds); those not scored are left out. */
        risk: z.enum(RISK_LEVELS).optional(),
        /** Only customers in this segment of the active version (a name from models.overview's segments). */
        segment: z.string().trim().min(1).max(60).optional(),
        /** Only customers with this tag (put on by the shop's automations: Automations → an "add a tag" action). */
        tag: z.string().trim().min(1).max(60).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    z.object({
      items: z.array(customerSummarySchema),
      total: z.number().int(),
      /** False when a very common search stopped counting at a cap: there are at least `total`. */
      totalIsExact: z.boolean(),
      offset: z.number().int(),
      /** The shop's currency, for showing lifetime values. */
      currency: z.string(),
      /** The thresholds the risk filter and the rows' bands use; null before the first retrain. */
      riskBands: riskBandsSchema.nullable(),
    }),
  ),
  'customers.tags': command(
    'Every tag on the shop’s customers, with how many have it (for the Customers filter).',
    z.object({}).strict(),
    z.array(z.object({ tag: z.string(), customers: z.number().int() })),
  ),
  'customers.get': command(
    'One customer, everything known: the Customer 360 page. A merged-away id answers with where it went.',
    z.object({ id }).strict(),
    z.discriminatedUnion('status', [
      z.object({ status: z.literal('found'), customer: customer360Schema }),
      z.object({ status: z.literal('merged'), mergedInto: id }),
    ]),
  ),
  'customers.erase': command(
    'Erase a customer and everything held about them (their right to be forgotten). Cannot be undone.',
    z.object({ id }).strict(),
    z.object({ profilesErased: z.number().int(), eventsErased: z.number().int() }),
  ),
  'customers.exportData': command(
    'Write everything held about a customer to a file on this PC (their data request).',
    z.object({ id }).strict(),
    z.object({ path: z.string() }),
  ),
  'customers.timeline': command(
    "A page of a customer's events, newest first.",
    z
      .object({
        id,
        /** Event id to continue after (from the previous page's nextCursor). */
        cursor: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    z.object({ events: z.array(timelineEventSchema), nextCursor: z.number().int().nullable() }),
  ),
};
